//! wrong: a compiler_fence(SeqCst), which orders nothing on the CPU
fn store_then_load_seq_cst(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, Relaxed);
    std::sync::atomic::compiler_fence(SeqCst);
    y.load(Relaxed)
}
