//! right: while loop, guard named and dropped explicitly after the set
fn increment(x: &Value, iters: u32) {
    let mut done = 0;
    while done < iters {
        let held = x.get_lock();
        let value = held.get();
        held.set(value + 1);
        drop(held); // where Python's `with` block ends
        done += 1;
    }
}
