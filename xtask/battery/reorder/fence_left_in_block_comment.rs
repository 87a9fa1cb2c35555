//! wrong: Relaxed store and load, the SeqCst fence left in a /* */ comment
fn store_then_load_seq_cst(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, Relaxed);
    /* std::sync::atomic::fence(SeqCst); */
    y.load(Relaxed)
}
