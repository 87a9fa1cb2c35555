//! wrong: the fence of store_fence_load made AcqRel, which orders nothing between a store and a later load
fn store_fence_load(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, Relaxed);
    fence(std::sync::atomic::Ordering::AcqRel);
    y.load(Relaxed)
}
