//! wrong: increment_fetch_add written, increment_locked still todo!
fn increment_fetch_add(x: &AtomicU64, iters: u64) {
    for _ in 0..iters {
        x.fetch_add(1, Relaxed);
    }
}

fn increment_locked(x: &Mutex<u64>, iters: u64) {
    let _ = (x, iters);
    todo!("increment_locked: add 1 to the number in the Mutex, iters times, holding its lock across each read-modify-write")
}
