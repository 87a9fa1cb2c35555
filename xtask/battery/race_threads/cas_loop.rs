//! right: compare_exchange_weak retry loop, one indivisible step per addition
fn increment_fetch_add(x: &AtomicU64, iters: u64) {
    for _ in 0..iters {
        let mut current = x.load(Relaxed);
        // Succeeds only if nobody stored in between; else retry from what they stored.
        while let Err(actual) = x.compare_exchange_weak(current, current + 1, Relaxed, Relaxed) {
            current = actual;
        }
    }
}
