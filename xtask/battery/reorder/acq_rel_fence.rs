//! wrong: Relaxed store and load with a fence(AcqRel) between
fn store_then_load_seq_cst(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, Relaxed);
    std::sync::atomic::fence(std::sync::atomic::Ordering::AcqRel);
    y.load(Relaxed)
}
