//! by hand: results pushed as they come, then sorted: the order is right only because squares grow
fn map_in_processes(numbers: &[u32], workers: usize, args: &Args) -> Result<Vec<u64>> {
    let mut procs = Procs::new();
    for _ in 0..workers.min(numbers.len()) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    let mut tasks = numbers.iter().enumerate();
    for i in 0..procs.children.len() {
        procs.give(i, tasks.next());
    }
    let mut results = Vec::new();
    for _ in numbers {
        let (i, _, square): (usize, usize, u64) = procs.next_answer()?;
        results.push(square);
        procs.give(i, tasks.next());
    }
    procs.close()?;
    results.sort_unstable();
    Ok(results)
}
