//! wrong: an indivisible fetch_add, not Python's get and set
fn increment(counter: &Value, iters: u32) {
    for _ in 0..iters {
        counter.fetch_add(1);
    }
}
