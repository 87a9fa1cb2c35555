//! wrong: each thread holds the queue's lock while it draws, so one draws at a time
fn render_in_threads(step: usize, grid: &Grid) -> Vec<u8> {
    let mut image = vec![0; grid.width * grid.height];
    let queue = Mutex::new(image.chunks_mut(step * grid.width).enumerate());
    thread::scope(|s| {
        for _ in 0..grid.workers {
            s.spawn(|| {
                loop {
                    let mut tasks = queue.lock().unwrap();
                    let Some((k, pixels)) = tasks.next() else { break };
                    let rows = k * step..k * step + pixels.len() / grid.width;
                    render_rows(rows, grid, pixels);
                }
            });
        }
    });
    image
}
