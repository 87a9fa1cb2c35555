//! wrong: every task given to worker 0, the other workers idle
fn map_in_processes(numbers: &[u32], workers: usize, args: &Args) -> Result<Vec<u64>> {
    let mut procs = Procs::new();
    for _ in 0..workers.min(numbers.len()) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    let mut tasks = numbers.iter().enumerate();
    procs.give(0, tasks.next());
    let mut results = vec![0; numbers.len()];
    for _ in numbers {
        let (i, task, square) = procs.next_answer()?;
        results[task] = square;
        procs.give(i, tasks.next());
    }
    procs.close()?;
    Ok(results)
}
