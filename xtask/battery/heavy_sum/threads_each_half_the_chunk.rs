//! wrong: the chunk split between a thread and the parent, which sums its half itself
fn sum_in_threads(chunks: &[&[f64]]) -> Vec<f64> {
    thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                let (first, second) = chunk.split_at(chunk.len() / 2);
                (s.spawn(move || heavy_sum(first)), second)
            })
            .collect();
        handles.into_iter().map(|(h, second)| h.join().unwrap() + heavy_sum(second)).collect()
    })
}
