//! right: each increment in a helper that holds the lock for its body
fn increment(x: &Value, iters: u32) {
    (0..iters).for_each(|_| add_one(x));
}

fn add_one(x: &Value) {
    let held = x.get_lock();
    held.set(held.get() + 1);
}
