//! right: a Relaxed store and load with a fence(SeqCst) between them
fn store_then_load_seq_cst(x: &AtomicBool, y: &AtomicBool) -> bool {
    use std::sync::atomic::{Ordering, fence};
    x.store(true, Ordering::Relaxed);
    fence(Ordering::SeqCst);
    y.load(Ordering::Relaxed)
}
