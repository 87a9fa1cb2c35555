//! by hand: tasks dealt to threads up front (k % workers), no shared queue
fn render_in_threads(step: usize, grid: &Grid) -> Vec<u8> {
    let mut image = vec![0; grid.width * grid.height];
    // Thread i gets tasks i, i + workers, i + 2*workers, ...: interleaved rows balance the work.
    let mut shares: Vec<Vec<(usize, &mut [u8])>> = (0..grid.workers).map(|_| Vec::new()).collect();
    for (k, pixels) in image.chunks_mut(step * grid.width).enumerate() {
        shares[k % grid.workers].push((k, pixels));
    }
    thread::scope(|s| {
        for share in shares.into_iter().filter(|share| !share.is_empty()) {
            s.spawn(move || {
                for (k, pixels) in share {
                    render_rows(k * step..k * step + pixels.len() / grid.width, grid, pixels);
                }
            });
        }
    });
    image
}
