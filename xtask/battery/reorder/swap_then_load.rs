//! right: a SeqCst swap in place of the store, then a SeqCst load
fn store_then_load_seq_cst(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.swap(true, SeqCst);
    y.load(SeqCst)
}
