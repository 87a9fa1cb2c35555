//! right: while loop over an in-flight count, results as Vec<Option<u64>>
fn map_in_processes(numbers: &[u32], workers: usize, args: &Args) -> Result<Vec<u64>> {
    let pool_size = workers.min(numbers.len());
    let mut procs = Procs::new();
    while procs.children.len() < pool_size {
        let child = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(child, 0)?;
    }
    let mut tasks = numbers.iter().enumerate();
    let mut pending = 0; // tasks given and not yet answered
    for i in 0..pool_size {
        if let Some(task) = tasks.next() {
            procs.give(i, Some(task));
            pending += 1;
        }
    }
    let mut results: Vec<Option<u64>> = vec![None; numbers.len()];
    while pending > 0 {
        let (i, task, square) = procs.next_answer::<u64>()?;
        results[task] = Some(square);
        pending -= 1;
        if let Some(next) = tasks.next() {
            procs.give(i, Some(next)); // the worker that just answered is free
            pending += 1;
        }
    }
    procs.close()?;
    Ok(results.into_iter().map(|r| r.expect("every task was answered")).collect())
}
