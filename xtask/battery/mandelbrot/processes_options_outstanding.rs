//! right: places as Vec<Option<&mut [u8]>> taken once, outstanding-count loop
fn render_in_processes(step: usize, args: &Args, grid: &Grid) -> Result<Vec<u8>> {
    let mut image = vec![0; grid.width * grid.height];
    let mut places: Vec<Option<&mut [u8]>> =
        image.chunks_mut(step * grid.width).map(Some).collect();
    let count = places.len();
    let mut procs = Procs::new();
    for _ in 0..grid.workers.min(count) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    let (mut next_task, mut outstanding) = (0, 0);
    for i in 0..procs.children.len() {
        procs.give(i, Some((next_task, step))); // fewer workers than tasks: one each
        next_task += 1;
        outstanding += 1;
    }
    while outstanding > 0 {
        let (i, k, pixels) = procs.next_answer::<String>()?;
        outstanding -= 1;
        let place = places[k].take().with_context(|| format!("worker {i} drew task {k} twice"))?;
        hex::decode_to_slice(pixels, place)
            .with_context(|| format!("worker {i} answered task {k} with the wrong pixels"))?;
        if next_task < count {
            procs.give(i, Some((next_task, step)));
            next_task += 1;
            outstanding += 1;
        }
    }
    procs.close()?;
    drop(places);
    Ok(image)
}
