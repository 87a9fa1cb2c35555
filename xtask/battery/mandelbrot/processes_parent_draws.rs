//! wrong: the workers started and closed, the parent draws every row itself
fn render_in_processes(step: usize, args: &Args, grid: &Grid) -> Result<Vec<u8>> {
    let mut image = vec![0; grid.width * grid.height];
    let mut procs = Procs::new();
    for _ in 0..grid.workers {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?;
    }
    for (k, pixels) in image.chunks_mut(step * grid.width).enumerate() {
        let rows = k * step..k * step + pixels.len() / grid.width;
        render_rows(rows, grid, pixels);
    }
    procs.close()?;
    Ok(image)
}
