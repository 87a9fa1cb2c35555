//! wrong: `let _ = x.get_lock()`, which drops the guard at once
fn increment(x: &Value, iters: u32) {
    for _ in 0..iters {
        let _ = x.get_lock();
        x.set(x.get() + 1);
    }
}
