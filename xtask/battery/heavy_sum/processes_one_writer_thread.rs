//! wrong: one writer thread copies every chunk in turn, not one per worker
fn sum_in_processes(chunks: &[&[f64]]) -> Result<Vec<f64>> {
    thread::scope(|s| {
        let mut procs = Procs::new();
        let mut stdins = Vec::new();
        for _ in chunks {
            let worker = worker_command()?.spawn().context("cannot start a worker")?;
            let worker = procs.watch(worker, 1)?;
            stdins.push(worker.stdin.take().expect("stdin is piped"));
        }
        // The copy, from a thread of its own, so that the parent can read the answers.
        s.spawn(move || {
            for (mut stdin, chunk) in stdins.into_iter().zip(chunks) {
                stdin.write_all(bytemuck::cast_slice::<f64, u8>(chunk))?;
            } // each stdin is dropped once written: closing the pipe ends the chunk
            Ok::<(), io::Error>(())
        });
        let mut partial_sums = vec![0.0; chunks.len()];
        for _ in chunks {
            let (i, answer) = procs.next_line()?;
            partial_sums[i] = procs::parse(i, &answer)?;
        }
        procs.join()?;
        Ok(partial_sums)
    })
}
