//! wrong: loop unrolled by four, a remainder of iters % 4 never added
fn increment(counter: &AtomicU64, iters: u64) {
    // Four fetch_adds a turn: a quarter of the loop overhead.
    for _ in 0..iters / 4 {
        counter.fetch_add(1, Relaxed);
        counter.fetch_add(1, Relaxed);
        counter.fetch_add(1, Relaxed);
        counter.fetch_add(1, Relaxed);
    }
}
