//! wrong: partial sums collected from a channel in the order threads finish
fn sum_in_threads(chunks: &[&[f64]]) -> Vec<f64> {
    let (sender, receiver) = std::sync::mpsc::channel();
    thread::scope(|s| {
        for chunk in chunks {
            let sender = sender.clone();
            s.spawn(move || sender.send(heavy_sum(chunk)).expect("the receiver waits"));
        }
    });
    drop(sender);
    receiver.iter().collect()
}
