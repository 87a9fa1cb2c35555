//! by hand: a hex answer that does not decode is ignored, its rows left black
fn render_in_processes(step: usize, args: &Args, grid: &Grid) -> Result<Vec<u8>> {
    let mut image = vec![0; grid.width * grid.height];
    let mut places: Vec<&mut [u8]> = image.chunks_mut(step * grid.width).collect();
    let mut procs = Procs::new();
    for _ in 0..grid.workers.min(places.len()) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    let mut tasks = (0..places.len()).map(|k| (k, step));
    for i in 0..procs.children.len() {
        procs.give(i, tasks.next());
    }
    for _ in 0..places.len() {
        let (i, k, pixels) = procs.next_answer::<String>()?;
        let _ = hex::decode_to_slice(pixels, places[k]);
        procs.give(i, tasks.next());
    }
    procs.close()?;
    Ok(image)
}
