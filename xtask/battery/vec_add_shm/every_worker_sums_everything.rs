//! wrong: every worker sums the whole array; the parent divides
fn sum_in_processes(shm: &File, n: usize, num_procs: usize) -> Result<Vec<i64>> {
    let mut procs = Procs::new();
    for _ in 0..num_procs {
        let worker = worker_command(shm, 0, n)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 1)?;
    }
    let mut partial_sums = vec![0; num_procs];
    for _ in 0..num_procs {
        let (i, answer) = procs.next_line()?;
        let sum: i64 = procs::parse(i, &answer)?;
        partial_sums[i] = sum / num_procs as i64;
    }
    let rest = partial_sums[0] * num_procs as i64;
    partial_sums[0] += rest - partial_sums.iter().sum::<i64>();
    procs.join()?;
    Ok(partial_sums)
}
