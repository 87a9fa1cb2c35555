//! wrong: one task at a time across the pool, each waited for before the next
fn map_in_processes(numbers: &[u32], workers: usize, args: &Args) -> Result<Vec<u64>> {
    let mut procs = Procs::new();
    for _ in 0..workers.min(numbers.len()) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    let mut results = vec![0; numbers.len()];
    for (task, x) in numbers.iter().enumerate() {
        procs.give(task % procs.children.len(), Some((task, x)));
        let (_, task, square) = procs.next_answer()?;
        results[task] = square;
    }
    procs.close()?;
    Ok(results)
}
