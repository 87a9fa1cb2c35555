//! wrong: each thread joined in the loop that starts it, so one runs at a time
fn sum_in_threads(chunks: &[&[i64]]) -> Vec<i64> {
    let mut sums = Vec::new();
    thread::scope(|s| {
        for chunk in chunks {
            let handle = s.spawn(|| partial_sum(chunk));
            sums.push(handle.join().unwrap());
        }
    });
    sums
}
