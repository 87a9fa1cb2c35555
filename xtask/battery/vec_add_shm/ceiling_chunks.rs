//! right: ranges of ceil(n / num_procs), the last one shorter
fn sum_in_processes(shm: &File, n: usize, num_procs: usize) -> Result<Vec<i64>> {
    let chunk = n.div_ceil(num_procs);
    let mut procs = Procs::new();
    for i in 0..num_procs {
        let start = (i * chunk).min(n);
        let end = (start + chunk).min(n);
        let worker = worker_command(shm, start, end)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 1)?;
    }
    let mut partial_sums = vec![0; num_procs];
    let mut answered = 0;
    while answered < num_procs {
        let (i, answer) = procs.next_line()?;
        partial_sums[i] = procs::parse(i, &answer)?;
        answered += 1;
    }
    procs.join()?;
    Ok(partial_sums)
}
