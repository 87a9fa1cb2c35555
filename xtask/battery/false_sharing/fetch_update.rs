//! right: fetch_update adding one, each call one atomic step
fn increment(counter: &AtomicU64, iters: u64) {
    for _ in 0..iters {
        let _ = counter.fetch_update(Relaxed, Relaxed, |c| c.checked_add(1));
    }
}
