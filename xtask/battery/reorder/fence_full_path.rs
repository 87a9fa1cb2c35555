//! right: the fence by its full path, the result named before it is returned
fn store_fence_load(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, std::sync::atomic::Ordering::Relaxed);
    std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
    let seen = y.load(std::sync::atomic::Ordering::Relaxed);
    seen
}
