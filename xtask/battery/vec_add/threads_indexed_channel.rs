//! right: scoped threads send (index, sum) on a channel, placed by index
fn sum_in_threads(chunks: &[&[i64]]) -> Vec<i64> {
    let (sender, receiver) = std::sync::mpsc::channel();
    thread::scope(|s| {
        for (i, chunk) in chunks.iter().enumerate() {
            let sender = sender.clone();
            s.spawn(move || sender.send((i, partial_sum(chunk))).expect("the receiver waits"));
        }
    }); // every thread was started before the scope waits for them
    drop(sender);
    let mut partial_sums = vec![0; chunks.len()];
    for (i, sum) in receiver {
        partial_sums[i] = sum;
    }
    partial_sums
}
