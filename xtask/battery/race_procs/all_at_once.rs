//! wrong: one get and one set of the whole count
fn increment(counter: &Value, iters: u32) {
    counter.set(counter.get() + iters as i32);
}
