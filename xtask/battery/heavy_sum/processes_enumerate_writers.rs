//! right: one writer thread per worker, answers into Vec<Option<f64>>
fn sum_in_processes(chunks: &[&[f64]]) -> Result<Vec<f64>> {
    thread::scope(|s| {
        let mut procs = Procs::new(); // in the scope: on an error it kills them first
        for (i, &chunk) in chunks.iter().enumerate() {
            let child = worker_command()?.spawn().with_context(|| format!("cannot start worker {i}"))?;
            let mut stdin = procs.watch(child, 1)?.stdin.take().expect("stdin is piped");
            s.spawn(move || {
                let _ = stdin.write_all(bytemuck::cast_slice(chunk)); // a dead worker is reported by procs
            });
        }
        let mut partial_sums: Vec<Option<f64>> = vec![None; chunks.len()];
        for _ in 0..chunks.len() {
            let (i, answer) = procs.next_line()?;
            partial_sums[i] = Some(procs::parse(i, &answer)?);
        }
        procs.join()?;
        Ok(partial_sums.into_iter().map(|sum| sum.expect("every worker answered once")).collect())
    })
}
