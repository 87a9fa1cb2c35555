//! wrong: every worker given every task, the first answer to each kept
fn map_in_processes(numbers: &[u32], workers: usize, args: &Args) -> Result<Vec<u64>> {
    let mut procs = Procs::new();
    for _ in 0..workers.min(numbers.len()) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    for i in 0..procs.children.len() {
        for task in numbers.iter().enumerate() {
            procs.give(i, Some(task));
        }
    }
    let mut results = vec![0; numbers.len()];
    for _ in 0..numbers.len() * procs.children.len() {
        let (_, task, square) = procs.next_answer()?;
        results[task] = square;
    }
    procs.close()?;
    Ok(results)
}
