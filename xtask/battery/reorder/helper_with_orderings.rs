//! right: both call one helper that takes the two orderings as arguments
fn store_then_load_release_acquire(x: &AtomicBool, y: &AtomicBool) -> bool {
    store_then_load_with(x, y, Release, Acquire)
}

fn store_then_load_seq_cst(x: &AtomicBool, y: &AtomicBool) -> bool {
    store_then_load_with(x, y, SeqCst, SeqCst)
}

/// `x = 1; return y`, the store and the load with the orderings given.
fn store_then_load_with(
    x: &AtomicBool,
    y: &AtomicBool,
    store: std::sync::atomic::Ordering,
    load: std::sync::atomic::Ordering,
) -> bool {
    x.store(true, store);
    y.load(load)
}
