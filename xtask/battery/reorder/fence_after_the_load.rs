//! wrong: the SeqCst fence after the load, too late
fn store_then_load_seq_cst(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, Relaxed);
    let seen = y.load(Relaxed);
    std::sync::atomic::fence(SeqCst);
    seen
}
