//! right: helpers start the pool and hand out the next task
fn map_in_processes(intervals: &[f64], workers: usize, args: &Args) -> Result<Vec<f64>> {
    let mut procs = start_pool(workers.min(intervals.len()), args)?;
    let mut tasks = intervals.iter().enumerate();
    for i in 0..procs.children.len() {
        give_next(&mut procs, i, &mut tasks);
    }
    let mut results = vec![f64::NAN; intervals.len()];
    for _ in 0..intervals.len() {
        let (i, task, result) = procs.next_answer::<f64>()?;
        results[task] = result;
        give_next(&mut procs, i, &mut tasks);
    }
    procs.close()?;
    Ok(results)
}

/// `Pool(size)`: that many workers started and watched, none owing anything yet.
fn start_pool(size: usize, args: &Args) -> Result<Procs> {
    let mut procs = Procs::new();
    for _ in 0..size {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    Ok(procs)
}

/// Worker `i` is free: give it the next task, if one is left.
fn give_next<'a>(
    procs: &mut Procs,
    i: usize,
    tasks: &mut impl Iterator<Item = (usize, &'a f64)>,
) {
    procs.give(i, tasks.next());
}
