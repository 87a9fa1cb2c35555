//! wrong: one task at a time across the pool, each waited for before the next
fn render_in_processes(step: usize, args: &Args, grid: &Grid) -> Result<Vec<u8>> {
    let mut image = vec![0; grid.width * grid.height];
    let mut places: Vec<&mut [u8]> = image.chunks_mut(step * grid.width).collect();
    let mut procs = Procs::new();
    for _ in 0..grid.workers.min(places.len()) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    for k in 0..places.len() {
        procs.give(k % procs.children.len(), Some((k, step)));
        let (_, k, pixels) = procs.next_answer::<String>()?;
        hex::decode_to_slice(pixels, places[k])?;
    }
    procs.close()?;
    Ok(image)
}
