//! right: a compare_exchange loop, SeqCst, and an explicit guard dropped each time
fn increment_fetch_add(x: &AtomicU64, iters: u64) {
    use std::sync::atomic::Ordering::SeqCst;
    let mut done = 0;
    while done < iters {
        let current = x.load(SeqCst);
        if x.compare_exchange(current, current + 1, SeqCst, SeqCst).is_ok() {
            done += 1;
        }
    }
}

fn increment_locked(x: &Mutex<u64>, iters: u64) {
    for _ in 0..iters {
        let mut guard = x.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let next = *guard + 1;
        *guard = next;
        drop(guard);
    }
}
