//! wrong: each thread's scope ends before the next starts: one thread at a time
fn render_in_threads(step: usize, grid: &Grid) -> Vec<u8> {
    let mut image = vec![0; grid.width * grid.height];
    let queue = Mutex::new(image.chunks_mut(step * grid.width).enumerate());
    let next = || queue.lock().unwrap().next();
    for _ in 0..grid.workers {
        thread::scope(|s| {
            s.spawn(|| {
                while let Some((k, pixels)) = next() {
                    let rows = k * step..k * step + pixels.len() / grid.width;
                    render_rows(rows, grid, pixels);
                }
            });
        });
    }
    image
}
