//! right: results gathered in a BTreeMap keyed by task, read back in key order
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
    let mut done = std::collections::BTreeMap::new();
    while done.len() < intervals.len() {
        let (i, task, result): (usize, usize, f64) = procs.next_answer()?;
        done.insert(task, result);
        procs.give(i, tasks.next());
    }
    procs.close()?;
    Ok(done.into_values().collect()) // ascending task index: input order
}
