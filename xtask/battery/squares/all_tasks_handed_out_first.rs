//! right: the tasks dealt out round-robin up front (as Pool.map's chunks), answers placed by index
fn map_in_processes(numbers: &[u32], workers: usize, args: &Args) -> Result<Vec<u64>> {
    let mut procs = Procs::new();
    let count = workers.min(numbers.len());
    for _ in 0..count {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    for (task, x) in numbers.iter().enumerate() {
        procs.give(task % count, Some((task, x)));
    }
    let mut results = vec![None; numbers.len()];
    while results.iter().any(Option::is_none) {
        let (_, task, square): (usize, usize, u64) = procs.next_answer()?;
        results[task] = Some(square);
    }
    procs.close()?;
    Ok(results.into_iter().flatten().collect())
}
