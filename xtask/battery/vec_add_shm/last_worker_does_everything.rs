//! wrong: every worker but the last given an empty range
fn sum_in_processes(shm: &File, n: usize, num_procs: usize) -> Result<Vec<i64>> {
    let mut procs = Procs::new();
    for i in 0..num_procs {
        let (s, e) = if i + 1 == num_procs { (0, n) } else { (0, 0) };
        let worker = worker_command(shm, s, e)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 1)?;
    }
    let mut partial_sums = vec![0; num_procs];
    for _ in 0..num_procs {
        let (i, answer) = procs.next_line()?;
        partial_sums[i] = procs::parse(i, &answer)?;
    }
    procs.join()?;
    Ok(partial_sums)
}
