//! wrong: each worker started, fed and waited for before the next starts
fn sum_in_processes(chunks: &[&[i64]]) -> Result<Vec<i64>> {
    let mut partial_sums = Vec::new();
    for chunk in chunks {
        let mut procs = Procs::new();
        let worker = worker_command()?.spawn().context("cannot start a worker")?;
        let worker = procs.watch(worker, 1)?;
        let mut stdin = worker.stdin.take().expect("stdin is piped");
        stdin.write_all(bytemuck::cast_slice(chunk))?;
        drop(stdin);
        let (i, answer) = procs.next_line()?;
        partial_sums.push(procs::parse::<i64>(i, &answer)?);
        procs.join()?;
    }
    Ok(partial_sums)
}
