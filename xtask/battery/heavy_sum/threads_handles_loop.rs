//! right: for loop pushes every handle, a second loop joins them in order
fn sum_in_threads(chunks: &[&[f64]]) -> Vec<f64> {
    thread::scope(|s| {
        let mut handles = Vec::with_capacity(chunks.len());
        for &chunk in chunks {
            handles.push(s.spawn(move || heavy_sum(chunk)));
        }
        // Every thread is running: now wait for each, in chunk order.
        let mut partial_sums = Vec::with_capacity(chunks.len());
        for handle in handles {
            partial_sums.push(handle.join().expect("heavy_sum cannot panic"));
        }
        partial_sums
    })
}
