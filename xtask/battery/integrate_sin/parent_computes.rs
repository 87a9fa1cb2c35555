//! wrong: workers started and closed, the parent integrates every interval itself
fn map_in_processes(intervals: &[f64], workers: usize, args: &Args) -> Result<Vec<f64>> {
    let mut procs = Procs::new();
    for _ in 0..workers.min(intervals.len()) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    let results = intervals.iter().map(|&x| slow_integrate_sin(x, args.reps)).collect();
    procs.close()?;
    Ok(results)
}
