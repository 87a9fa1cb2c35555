//! wrong: one get, then every set from that
fn increment(counter: &Value, iters: u32) {
    let start = counter.get();
    for i in 0..iters {
        counter.set(start + i as i32 + 1);
    }
}
