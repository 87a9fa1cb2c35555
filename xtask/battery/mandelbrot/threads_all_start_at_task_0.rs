//! wrong: every thread draws task 0 first, then takes from the queue of the rest
fn render_in_threads(step: usize, grid: &Grid) -> Vec<u8> {
    let mut image = vec![0; grid.width * grid.height];
    let mut tasks = image.chunks_mut(step * grid.width).enumerate();
    let first = tasks.next().map(|(_, pixels)| pixels);
    let queue = Mutex::new(tasks);
    let next = || queue.lock().unwrap().next();
    let first = Mutex::new(first);
    thread::scope(|s| {
        for _ in 0..grid.workers {
            s.spawn(|| {
                let rows = 0..step.min(grid.height);
                match first.lock().unwrap().take() {
                    Some(pixels) => render_rows(rows, grid, pixels),
                    None => render_rows(rows.clone(), grid, &mut vec![0; rows.len() * grid.width]),
                }
                while let Some((k, pixels)) = next() {
                    let rows = k * step..k * step + pixels.len() / grid.width;
                    render_rows(rows, grid, pixels);
                }
            });
        }
    });
    image
}
