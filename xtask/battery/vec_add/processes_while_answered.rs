//! right: writer closure drops stdin explicitly, answers counted in a while loop
fn sum_in_processes(chunks: &[&[i64]]) -> Result<Vec<i64>> {
    thread::scope(|s| {
        let mut procs = Procs::new(); // inside the scope: on an error it kills them first
        for chunk in chunks.iter().copied() {
            let child = worker_command()?.spawn().context("cannot start a worker")?;
            let stdin = procs.watch(child, 1)?.stdin.take();
            let mut stdin = stdin.expect("stdin is piped");
            s.spawn(move || {
                let bytes: &[u8] = bytemuck::cast_slice(chunk);
                let written = stdin.write_all(bytes);
                drop(stdin); // closing the pipe ends the chunk
                written
            });
        }
        let mut partial_sums = vec![0_i64; chunks.len()];
        let mut answered = 0;
        while answered < chunks.len() {
            let (i, answer) = procs.next_line()?;
            partial_sums[i] = procs::parse(i, &answer)?;
            answered += 1;
        }
        procs.join()?;
        Ok(partial_sums)
    })
}
