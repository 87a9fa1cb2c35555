//! wrong: the lock held across the whole loop (exact, but one process at a time)
fn increment(x: &Value, iters: u32) {
    let x = x.get_lock();
    for _ in 0..iters {
        x.set(x.get() + 1);
    }
}
