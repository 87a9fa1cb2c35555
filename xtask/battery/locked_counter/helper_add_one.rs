//! right: a helper takes the lock, gets and sets, for each increment
fn increment(x: &Value, iters: u32) {
    for _ in 0..iters {
        add_one_holding_the_lock(x);
    }
}

/// `with x.get_lock(): x.value += 1`, once.
fn add_one_holding_the_lock(x: &Value) {
    let guard = x.get_lock();
    let before = guard.get();
    guard.set(before + 1);
} // the guard goes here: the lock is free again
