//! wrong: the load first, then the store
fn store_then_load_seq_cst(x: &AtomicBool, y: &AtomicBool) -> bool {
    let seen = y.load(SeqCst);
    x.store(true, SeqCst);
    seen
}
