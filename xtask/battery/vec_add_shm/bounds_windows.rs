//! right: range bounds computed once, workers started over bounds.windows(2)
fn sum_in_processes(shm: &File, n: usize, num_procs: usize) -> Result<Vec<i64>> {
    // bounds[i]..bounds[i + 1] is worker i's range: i*n/num_procs .. (i+1)*n/num_procs.
    let bounds: Vec<usize> = (0..=num_procs).map(|i| i * n / num_procs).collect();
    let mut procs = Procs::new();
    for range in bounds.windows(2) {
        let child = spawn_worker(worker_command(shm, range[0], range[1])?)?;
        procs.watch(child, 1)?;
    }
    let mut partial_sums: Vec<Option<i64>> = vec![None; num_procs];
    while partial_sums.iter().any(Option::is_none) {
        let (i, answer) = procs.next_line()?;
        partial_sums[i] = Some(procs::parse(i, &answer)?);
    }
    procs.join()?;
    Ok(partial_sums.into_iter().flatten().collect())
}

/// Starts one worker from its command, saying so when it cannot.
fn spawn_worker(mut command: Command) -> Result<std::process::Child> {
    command.spawn().context("cannot start a worker")
}
