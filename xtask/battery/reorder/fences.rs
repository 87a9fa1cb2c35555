//! right: Relaxed accesses made Release/Acquire and SeqCst by fences
fn store_then_load_release_acquire(x: &AtomicBool, y: &AtomicBool) -> bool {
    std::sync::atomic::fence(Release); // makes the store below a Release store
    x.store(true, Relaxed);
    let seen = y.load(Relaxed);
    std::sync::atomic::fence(Acquire); // makes the load above an Acquire load
    seen
}

fn store_then_load_seq_cst(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, Relaxed);
    std::sync::atomic::fence(SeqCst); // the load cannot pass the store
    y.load(Relaxed)
}
