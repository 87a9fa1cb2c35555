//! right: thread i starts with task i, then the next task's number from an AtomicUsize
fn render_in_threads(step: usize, grid: &Grid) -> Vec<u8> {
    let mut image = vec![0; grid.width * grid.height];
    let places: Vec<Option<&mut [u8]>> =
        image.chunks_mut(step * grid.width).map(Some).collect();
    let count = places.len();
    let threads = grid.workers.min(count);
    let places = Mutex::new(places);
    let next = std::sync::atomic::AtomicUsize::new(threads);
    thread::scope(|s| {
        for i in 0..threads {
            let (places, next) = (&places, &next);
            s.spawn(move || {
                let mut k = i;
                while k < count {
                    let pixels = places.lock().unwrap()[k].take().expect("each task once");
                    let rows = k * step..k * step + pixels.len() / grid.width;
                    render_rows(rows, grid, pixels);
                    k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
    });
    image
}
