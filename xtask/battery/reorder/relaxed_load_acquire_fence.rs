//! right: a Release store, a Relaxed load made Acquire by a fence after it
fn store_then_load_release_acquire(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, Release);
    let seen = y.load(Relaxed);
    std::sync::atomic::fence(Acquire);
    seen
}
