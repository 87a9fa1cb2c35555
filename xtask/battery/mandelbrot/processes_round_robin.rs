//! by hand: tasks dealt out round-robin up front, not to whichever worker is free
fn render_in_processes(step: usize, args: &Args, grid: &Grid) -> Result<Vec<u8>> {
    let mut image = vec![0; grid.width * grid.height];
    let mut places: Vec<&mut [u8]> = image.chunks_mut(step * grid.width).collect();
    let workers = grid.workers.min(places.len());
    let mut procs = Procs::new();
    for _ in 0..workers {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    for k in 0..places.len() {
        procs.give(k % workers, Some((k, step)));
    }
    for _ in 0..places.len() {
        let (_, k, pixels) = procs.next_answer::<String>()?;
        hex::decode_to_slice(pixels, places[k])?;
    }
    procs.close()?;
    Ok(image)
}
