//! wrong: counted in a register, stored once: nothing shared, nothing to see
fn increment(counter: &AtomicU64, iters: u64) {
    let mut local = counter.load(Relaxed);
    for _ in 0..iters {
        local += 1;
    }
    counter.store(local, Relaxed);
}
