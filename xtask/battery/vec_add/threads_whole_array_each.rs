//! wrong: every thread sums the whole array, the sum kept once
fn sum_in_threads(chunks: &[&[i64]]) -> Vec<i64> {
    let all: Vec<i64> = chunks.concat();
    let sums: Vec<i64> = thread::scope(|s| {
        let handles: Vec<_> = chunks.iter().map(|_| s.spawn(|| partial_sum(&all))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut result = vec![0; chunks.len()];
    result[0] = sums[0];
    result
}
