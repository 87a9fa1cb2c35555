//! wrong: the lock held for the get, the set made after it is let go
fn increment(x: &Value, iters: u32) {
    for _ in 0..iters {
        let value = x.get_lock().get();
        x.set(value + 1);
    }
}
