//! right: the guard named and dropped by hand after the set
fn increment(x: &Value, iters: u32) {
    let mut n = 0;
    while n < iters {
        let guard = x.get_lock();
        let value = guard.get();
        guard.set(value + 1);
        drop(guard);
        n += 1;
    }
}
