//! right: scoped threads send (index, sum) down a channel, placed by index
fn sum_in_threads(chunks: &[&[f64]]) -> Vec<f64> {
    let (send, receive) = std::sync::mpsc::channel();
    thread::scope(|s| {
        for (i, chunk) in chunks.iter().enumerate() {
            let send = send.clone();
            s.spawn(move || send.send((i, heavy_sum(chunk))).unwrap());
        }
    });
    drop(send);
    let mut sums = vec![0.0; chunks.len()];
    for (i, sum) in receive {
        sums[i] = sum;
    }
    sums
}
