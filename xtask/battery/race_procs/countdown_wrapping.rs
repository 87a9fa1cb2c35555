//! right: countdown while loop, get then set with wrapping_add
fn increment(counter: &Value, iters: u32) {
    let mut left = iters;
    while left > 0 {
        let next = counter.get().wrapping_add(1);
        counter.set(next);
        left -= 1;
    }
}
