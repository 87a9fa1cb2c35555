//! wrong: counted in a local variable, added to x once at the end
fn increment_fetch_add(x: &AtomicU64, iters: u64) {
    let mut local = 0;
    for _ in 0..iters {
        local += 1;
    }
    x.fetch_add(local, Relaxed);
}
