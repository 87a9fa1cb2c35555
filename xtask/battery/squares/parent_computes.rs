//! wrong: workers started and closed, the parent squares every number itself
fn map_in_processes(numbers: &[u32], workers: usize, args: &Args) -> Result<Vec<u64>> {
    let mut procs = Procs::new();
    for _ in 0..workers.min(numbers.len()) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    let sleep = Duration::from_millis(u64::from(args.sleep_ms));
    let results = numbers.iter().map(|&x| compute_square(x, sleep)).collect();
    procs.close()?;
    Ok(results)
}
