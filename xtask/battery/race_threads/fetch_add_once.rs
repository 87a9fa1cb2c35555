//! wrong: one fetch_add(iters)
fn increment_fetch_add(x: &AtomicU64, iters: u64) {
    x.fetch_add(iters, Relaxed);
}
