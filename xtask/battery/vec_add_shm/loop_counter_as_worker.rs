//! by hand: stores each answer at the loop counter, not the worker that sent it
fn sum_in_processes(shm: &File, n: usize, num_procs: usize) -> Result<Vec<i64>> {
    let mut procs = Procs::new();
    for i in 0..num_procs {
        let (start, end) = (i * n / num_procs, (i + 1) * n / num_procs);
        let worker = worker_command(shm, start, end)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 1)?;
    }
    let mut partial_sums = vec![0; num_procs];
    for k in 0..num_procs {
        let (i, answer) = procs.next_line()?;
        partial_sums[k] = procs::parse(i, &answer)?;
    }
    procs.join()?;
    Ok(partial_sums)
}
