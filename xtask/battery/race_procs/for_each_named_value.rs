//! right: iterator for_each, the value read into a named local, then set
fn increment(counter: &Value, iters: u32) {
    (0..iters).for_each(|_| {
        let seen = counter.get(); // takes the lock, and lets it go
        counter.set(seen + 1); //    takes it again: another may have set in between
    });
}
