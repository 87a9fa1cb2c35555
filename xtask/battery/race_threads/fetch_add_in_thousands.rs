//! wrong: fetch_add(1000) a thousandth as often
fn increment_fetch_add(x: &AtomicU64, iters: u64) {
    for _ in 0..iters / 1000 {
        x.fetch_add(1000, Relaxed);
    }
    x.fetch_add(iters % 1000, Relaxed);
}
