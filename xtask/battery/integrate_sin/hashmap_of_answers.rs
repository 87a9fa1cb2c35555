//! right: answers kept in a HashMap by task, read out in input order
fn map_in_processes(intervals: &[f64], workers: usize, args: &Args) -> Result<Vec<f64>> {
    let mut procs = Procs::new();
    while procs.children.len() < workers.min(intervals.len()) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    let mut tasks = intervals.iter().enumerate();
    for i in 0..procs.children.len() {
        procs.give(i, tasks.next());
    }
    let mut answers = std::collections::HashMap::new();
    while answers.len() < intervals.len() {
        let (i, task, result): (usize, usize, f64) = procs.next_answer()?;
        answers.insert(task, result);
        procs.give(i, tasks.next());
    }
    procs.close()?;
    Ok((0..intervals.len()).map(|task| answers[&task]).collect())
}
