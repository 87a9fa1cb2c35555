//! right: answers kept in a HashMap by task, read out in input order
fn map_in_processes(numbers: &[u32], workers: usize, args: &Args) -> Result<Vec<u64>> {
    let mut procs = Procs::new();
    while procs.children.len() < workers.min(numbers.len()) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    let mut tasks = numbers.iter().enumerate();
    for i in 0..procs.children.len() {
        procs.give(i, tasks.next());
    }
    let mut answers = std::collections::HashMap::new();
    while answers.len() < numbers.len() {
        let (i, task, square): (usize, usize, u64) = procs.next_answer()?;
        answers.insert(task, square);
        procs.give(i, tasks.next());
    }
    procs.close()?;
    Ok((0..numbers.len()).map(|task| answers[&task]).collect())
}
