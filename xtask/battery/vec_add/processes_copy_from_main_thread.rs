//! wrong: all workers started, then chunks written one after another by main
fn sum_in_processes(chunks: &[&[i64]]) -> Result<Vec<i64>> {
    let mut procs = Procs::new();
    for _ in chunks {
        let worker = worker_command()?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 1)?;
    }
    // Every worker is running now: send each its chunk.
    for (i, chunk) in chunks.iter().enumerate() {
        let mut stdin = procs.children[i].stdin.take().expect("stdin is piped");
        stdin.write_all(bytemuck::cast_slice::<i64, u8>(chunk)).context("cannot send a worker its chunk")?;
    } // each stdin is dropped once written: the worker sees the end of its chunk
    let mut partial_sums = vec![0; chunks.len()];
    for _ in chunks {
        let (i, answer) = procs.next_line()?;
        partial_sums[i] = procs::parse(i, &answer)?;
    }
    procs.join()?;
    Ok(partial_sums)
}
