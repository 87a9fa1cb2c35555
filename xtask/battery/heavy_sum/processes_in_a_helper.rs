//! right: a helper starts each worker and hands back its stdin; writers joined by the scope
fn sum_in_processes(chunks: &[&[f64]]) -> Result<Vec<f64>> {
    let mut procs = Procs::new();
    let inputs = chunks.iter().map(|_| start_one(&mut procs)).collect::<Result<Vec<_>>>()?;
    thread::scope(|s| {
        for (mut stdin, chunk) in inputs.into_iter().zip(chunks) {
            s.spawn(move || stdin.write_all(bytemuck::cast_slice(chunk)));
        }
        let mut partial_sums = vec![0.0; chunks.len()];
        for _ in chunks {
            let (i, answer) = procs.next_line()?;
            partial_sums[i] = procs::parse(i, &answer)?;
        }
        procs.join()?;
        Ok(partial_sums)
    })
}

fn start_one(procs: &mut Procs) -> Result<std::process::ChildStdin> {
    let worker = worker_command()?.spawn().context("cannot start a worker")?;
    Ok(procs.watch(worker, 1)?.stdin.take().expect("stdin is piped"))
}
