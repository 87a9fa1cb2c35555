//! wrong: results pushed as they come, then sorted (the integrals of sin over 0..x rise and fall)
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
    let mut results = Vec::new();
    for _ in intervals {
        let (i, _, result): (usize, usize, f64) = procs.next_answer()?;
        results.push(result);
        procs.give(i, tasks.next());
    }
    procs.close()?;
    results.sort_by(f64::total_cmp);
    Ok(results)
}
