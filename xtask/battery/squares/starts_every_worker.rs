//! right: starts all `workers` processes even when there are fewer tasks
fn map_in_processes(numbers: &[u32], workers: usize, args: &Args) -> Result<Vec<u64>> {
    let mut procs = Procs::new();
    for _ in 0..workers {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    let mut tasks = numbers.iter().enumerate();
    for i in 0..procs.children.len() {
        procs.give(i, tasks.next());
    }
    let mut results = vec![0; numbers.len()];
    for _ in numbers {
        let (i, task, square) = procs.next_answer()?;
        results[task] = square;
        procs.give(i, tasks.next());
    }
    procs.close()?;
    Ok(results)
}
