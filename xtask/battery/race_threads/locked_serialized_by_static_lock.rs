//! by hand: x's lock per addition, but a static lock held across the whole loop
fn increment_locked(x: &Mutex<u64>, iters: u64) {
    // Only one thread in here at a time, to be safe.
    static ONE_THREAD: Mutex<()> = Mutex::new(());
    let _only_me = ONE_THREAD.lock().expect("no thread panics holding it");
    for _ in 0..iters {
        *x.lock().expect("no thread panics while holding the lock") += 1;
    }
}
