//! by hand: never calls procs.close(), returns with the workers still running
fn map_in_processes(intervals: &[f64], workers: usize, args: &Args) -> Result<Vec<f64>> {
    let mut procs = Procs::new();
    for _ in 0..workers.min(intervals.len()) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    let mut tasks = intervals.iter().enumerate();
    for i in 0..procs.children.len() {
        procs.give(i, tasks.next());
    }
    let mut results = vec![0.0; intervals.len()];
    for _ in intervals {
        let (i, task, result) = procs.next_answer()?;
        results[task] = result;
        procs.give(i, tasks.next());
    }
    Ok(results) // every result is in
}
