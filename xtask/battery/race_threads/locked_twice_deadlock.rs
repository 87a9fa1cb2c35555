//! wrong: the lock taken twice in one statement's scope: a deadlock
fn increment_locked(x: &Mutex<u64>, iters: u64) {
    for _ in 0..iters {
        let guard = x.lock().unwrap();
        let value = *guard;
        *x.lock().unwrap() = value + 1;
        drop(guard);
    }
}
