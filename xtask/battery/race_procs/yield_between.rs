//! right: a get, a yield that lets others in, then the set (slow)
fn increment(counter: &Value, iters: u32) {
    for _ in 0..iters {
        let value = counter.get();
        std::thread::yield_now();
        counter.set(value + 1);
    }
}
