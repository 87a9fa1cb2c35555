//! wrong: the read under the lock, the write under it again
fn increment_locked(x: &Mutex<u64>, iters: u64) {
    for _ in 0..iters {
        let value = *x.lock().unwrap();
        *x.lock().unwrap() = value + 1;
    }
}
