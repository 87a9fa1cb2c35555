//! wrong: the SeqCst fence before the store, where it holds nothing back
fn store_fence_load(x: &AtomicBool, y: &AtomicBool) -> bool {
    fence(SeqCst);
    x.store(true, Relaxed);
    y.load(Relaxed)
}
