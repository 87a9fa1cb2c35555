//! wrong: a load then a store (a "volatile" increment), not one atomic step
fn increment(counter: &AtomicU64, iters: u64) {
    for _ in 0..iters {
        counter.store(counter.load(Relaxed) + 1, Relaxed);
    }
}
