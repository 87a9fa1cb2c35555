//! wrong: partial sums parsed as i32, overflows with one worker on 50M
fn sum_in_processes(shm: &File, n: usize, num_procs: usize) -> Result<Vec<i64>> {
    let mut procs = Procs::new();
    for i in 0..num_procs {
        let (start, end) = (i * n / num_procs, (i + 1) * n / num_procs);
        let worker = worker_command(shm, start, end)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 1)?;
    }
    let mut partial_sums = vec![0; num_procs];
    for _ in 0..num_procs {
        let (i, answer) = procs.next_line()?;
        let sum: i32 = procs::parse(i, &answer)?; // numbers up to 99: an i32 is plenty
        partial_sums[i] = i64::from(sum);
    }
    procs.join()?;
    Ok(partial_sums)
}
