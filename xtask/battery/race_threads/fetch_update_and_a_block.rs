//! right: fetch_update adding one, and the lock held in a block for each addition
fn increment_fetch_add(x: &AtomicU64, iters: u64) {
    (0..iters).for_each(|_| {
        let _ = x.fetch_update(Relaxed, Relaxed, |v| Some(v + 1));
    });
}

fn increment_locked(x: &Mutex<u64>, iters: u64) {
    let mut left = iters;
    while left > 0 {
        {
            let mut count = x.lock().expect("not poisoned");
            *count += 1;
        }
        left -= 1;
    }
}
