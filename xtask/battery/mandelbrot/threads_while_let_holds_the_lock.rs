//! wrong: `while let Some(..) = queue.lock().unwrap().next()`: the guard lives through the body, so one thread draws at a time
fn render_in_threads(step: usize, grid: &Grid) -> Vec<u8> {
    let mut image = vec![0; grid.width * grid.height];
    let queue = Mutex::new(image.chunks_mut(step * grid.width).enumerate());
    thread::scope(|s| {
        for _ in 0..grid.workers {
            s.spawn(|| {
                while let Some((k, pixels)) = queue.lock().unwrap().next() {
                    let rows = k * step..k * step + pixels.len() / grid.width;
                    render_rows(rows, grid, pixels);
                }
            });
        }
    });
    image
}
