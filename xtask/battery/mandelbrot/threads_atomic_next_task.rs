//! right: an AtomicUsize hands out task numbers, each place in a Mutex<Option>
fn render_in_threads(step: usize, grid: &Grid) -> Vec<u8> {
    let mut image = vec![0; grid.width * grid.height];
    let places: Vec<Mutex<Option<&mut [u8]>>> =
        image.chunks_mut(step * grid.width).map(|place| Mutex::new(Some(place))).collect();
    // Thread i starts with task i; the first task nobody has started is `next`.
    let next = std::sync::atomic::AtomicUsize::new(grid.workers);
    thread::scope(|s| {
        for first in 0..grid.workers.min(places.len()) {
            let (places, next) = (&places, &next);
            s.spawn(move || {
                let mut k = first;
                while k < places.len() {
                    let pixels = places[k].lock().expect("no panic holding it").take();
                    if let Some(pixels) = pixels {
                        render_rows(k * step..k * step + pixels.len() / grid.width, grid, pixels);
                    }
                    k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
    });
    drop(places);
    image
}
