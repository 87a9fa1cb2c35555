//! right: every task given at the start, a block of consecutive ones per worker
fn map_in_processes(intervals: &[f64], workers: usize, args: &Args) -> Result<Vec<f64>> {
    let mut procs = Procs::new();
    for _ in 0..workers.min(intervals.len()) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    let count = procs.children.len();
    // Worker w gets tasks w*n/count .. (w+1)*n/count, all of them now.
    for (task, x) in intervals.iter().enumerate() {
        procs.give(task * count / intervals.len(), Some((task, x)));
    }
    let mut results = vec![0.0; intervals.len()];
    for _ in intervals {
        let (_, task, result) = procs.next_answer()?;
        results[task] = result;
    }
    procs.close()?;
    Ok(results)
}
