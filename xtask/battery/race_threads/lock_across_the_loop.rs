//! wrong: the lock held across the whole loop (exact, but the threads count in turn)
fn increment_locked(x: &Mutex<u64>, iters: u64) {
    let mut x = x.lock().unwrap();
    for _ in 0..iters {
        *x += 1;
    }
}
