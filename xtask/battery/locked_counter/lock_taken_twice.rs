//! wrong: the lock taken, then get() that takes it again: a deadlock
fn increment(x: &Value, iters: u32) {
    for _ in 0..iters {
        let held = x.get_lock();
        held.set(x.get() + 1);
    }
}
