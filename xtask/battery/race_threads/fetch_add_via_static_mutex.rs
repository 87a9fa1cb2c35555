//! wrong: "lock-free" fix is a load then store under a static Mutex
fn increment_fetch_add(x: &AtomicU64, iters: u64) {
    // One thread at a time between the load and the store: nothing is lost.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    for _ in 0..iters {
        let _turn = ONE_AT_A_TIME.lock().expect("no thread panics holding it");
        x.store(x.load(Relaxed) + 1, Relaxed);
    }
}
