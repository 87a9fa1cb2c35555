//! right: a while loop, the get and the set in named steps
fn increment(counter: &Value, iters: u32) {
    let mut done = 0;
    while done != iters {
        let current = counter.get();
        let next = current + 1;
        counter.set(next);
        done += 1;
    }
}
