//! wrong: threads started, but the parent sums every chunk itself
fn sum_in_threads(chunks: &[&[i64]]) -> Vec<i64> {
    thread::scope(|s| {
        for _ in chunks {
            s.spawn(|| {});
        }
    });
    chunks.iter().map(|chunk| partial_sum(chunk)).collect()
}
