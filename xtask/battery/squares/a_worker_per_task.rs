//! wrong: a worker process for every task, not a pool of `workers`
fn map_in_processes(numbers: &[u32], _workers: usize, args: &Args) -> Result<Vec<u64>> {
    let mut procs = Procs::new();
    for _ in numbers {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    for (task, x) in numbers.iter().enumerate() {
        procs.give(task, Some((task, x)));
    }
    let mut results = vec![0; numbers.len()];
    for _ in numbers {
        let (_, task, square) = procs.next_answer()?;
        results[task] = square;
    }
    procs.close()?;
    Ok(results)
}
