//! wrong: fetch_add(4) a quarter as often
fn increment(counter: &AtomicU64, iters: u64) {
    for _ in 0..iters / 4 {
        counter.fetch_add(4, Relaxed);
    }
    counter.fetch_add(iters % 4, Relaxed);
}
