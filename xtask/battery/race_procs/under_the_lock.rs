//! wrong: the fix of the next lesson (the lock held across each), not the race asked for
fn increment(counter: &Value, iters: u32) {
    for _ in 0..iters {
        let counter = counter.get_lock();
        counter.set(counter.get() + 1);
    }
}
