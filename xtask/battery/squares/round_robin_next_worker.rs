//! by hand: next task goes to the next worker in turn, not the one that answered
fn map_in_processes(numbers: &[u32], workers: usize, args: &Args) -> Result<Vec<u64>> {
    let mut procs = Procs::new();
    for _ in 0..workers.min(numbers.len()) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    let count = procs.children.len();
    let mut tasks = numbers.iter().enumerate();
    for i in 0..count {
        procs.give(i, tasks.next());
    }
    let mut turn = 0; // the workers take turns for the tasks left
    let mut results = vec![0; numbers.len()];
    for _ in numbers {
        let (_, task, square) = procs.next_answer()?;
        results[task] = square;
        procs.give(turn, tasks.next());
        turn = (turn + 1) % count;
    }
    procs.close()?;
    Ok(results)
}
