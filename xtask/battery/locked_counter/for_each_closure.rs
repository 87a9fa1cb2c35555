//! right: for_each closure, guard lives to the end of each call
fn increment(x: &Value, iters: u32) {
    (0..iters).for_each(|_| {
        let locked = x.get_lock();
        locked.set(locked.get().wrapping_add(1));
    });
}
