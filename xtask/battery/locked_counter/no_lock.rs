//! wrong: no lock at all, Python's racy `x.value += 1`
fn increment(x: &Value, iters: u32) {
    for _ in 0..iters {
        x.set(x.get() + 1);
    }
}
