//! right: tasks from a counter, each answer copied into the image at its row
fn render_in_processes(step: usize, args: &Args, grid: &Grid) -> Result<Vec<u8>> {
    let mut image = vec![0; grid.width * grid.height];
    let count = grid.height.div_ceil(step);
    let mut procs = Procs::new();
    while procs.children.len() < grid.workers.min(count) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    let mut next = 0;
    for i in 0..procs.children.len() {
        procs.give(i, Some((next, step)));
        next += 1;
    }
    let mut done = 0;
    while done < count {
        let (i, k, pixels): (usize, usize, String) = procs.next_answer()?;
        let bytes = hex::decode(pixels)?;
        let at = k * step * grid.width;
        image[at..at + bytes.len()].copy_from_slice(&bytes);
        done += 1;
        if next < count {
            procs.give(i, Some((next, step)));
            next += 1;
        }
    }
    procs.close()?;
    Ok(image)
}
