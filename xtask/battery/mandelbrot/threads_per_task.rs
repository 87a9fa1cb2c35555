//! wrong: a thread for every task, not a pool of grid.workers
fn render_in_threads(step: usize, grid: &Grid) -> Vec<u8> {
    let mut image = vec![0; grid.width * grid.height];
    thread::scope(|s| {
        for (k, pixels) in image.chunks_mut(step * grid.width).enumerate() {
            s.spawn(move || {
                let rows = k * step..k * step + pixels.len() / grid.width;
                render_rows(rows, grid, pixels);
            });
        }
    });
    image
}
