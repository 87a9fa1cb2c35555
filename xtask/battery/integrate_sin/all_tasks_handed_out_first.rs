//! right: the tasks dealt out round-robin up front (as Pool.map's chunks), answers placed by index
fn map_in_processes(intervals: &[f64], workers: usize, args: &Args) -> Result<Vec<f64>> {
    let mut procs = Procs::new();
    let count = workers.min(intervals.len());
    for _ in 0..count {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    for (task, x) in intervals.iter().enumerate() {
        procs.give(task % count, Some((task, x)));
    }
    let mut results = vec![None; intervals.len()];
    while results.iter().any(Option::is_none) {
        let (_, task, result): (usize, usize, f64) = procs.next_answer()?;
        results[task] = Some(result);
    }
    procs.close()?;
    Ok(results.into_iter().flatten().collect())
}
