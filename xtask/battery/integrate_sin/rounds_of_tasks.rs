//! by hand: hands out tasks in rounds, waiting for the whole round each time
fn map_in_processes(intervals: &[f64], workers: usize, args: &Args) -> Result<Vec<f64>> {
    let mut procs = Procs::new();
    for _ in 0..workers.min(intervals.len()) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    let mut tasks = intervals.iter().enumerate();
    let mut results = vec![0.0; intervals.len()];
    loop {
        // One task for every worker, then wait for all of this round's answers.
        let mut given = 0;
        for i in 0..procs.children.len() {
            if let Some(task) = tasks.next() {
                procs.give(i, Some(task));
                given += 1;
            }
        }
        if given == 0 {
            break;
        }
        for _ in 0..given {
            let (_, task, result) = procs.next_answer()?;
            results[task] = result;
        }
    }
    procs.close()?;
    Ok(results)
}
