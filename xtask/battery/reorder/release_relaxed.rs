//! wrong: a Release store, but a Relaxed load
fn store_then_load_release_acquire(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, Release);
    y.load(Relaxed)
}
