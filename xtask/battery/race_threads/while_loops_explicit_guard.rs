//! right: while loops, an ordering const, a named guard dropped each time
fn increment_fetch_add(x: &AtomicU64, iters: u64) {
    let mut left = iters;
    while left > 0 {
        x.fetch_add(1, COUNT_ORDER);
        left -= 1;
    }
}

fn increment_locked(x: &Mutex<u64>, iters: u64) {
    let mut done = 0;
    while done < iters {
        let mut guard = x.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *guard += 1; // read, add and write while holding the lock
        drop(guard);
        done += 1;
    }
}

/// A counter orders nothing else: Relaxed is enough for fetch_add.
const COUNT_ORDER: std::sync::atomic::Ordering = Relaxed;
