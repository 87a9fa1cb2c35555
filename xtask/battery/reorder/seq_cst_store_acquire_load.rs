//! wrong: a SeqCst store, then an Acquire load (the load may still pass the store)
fn store_then_load_seq_cst(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, SeqCst);
    y.load(Acquire)
}
