//! by hand: parent busy-polls is_finished() on every handle instead of joining
fn sum_in_threads(chunks: &[&[f64]]) -> Vec<f64> {
    thread::scope(|s| {
        let handles: Vec<_> = chunks.iter().map(|chunk| s.spawn(move || heavy_sum(chunk))).collect();
        // Wait until every thread is done, checking again and again.
        while !handles.iter().all(|h| h.is_finished()) {}
        handles.into_iter().map(|h| h.join().expect("heavy_sum cannot panic")).collect()
    })
}
