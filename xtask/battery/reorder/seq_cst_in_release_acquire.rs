//! wrong: SeqCst in the Release/Acquire experiment, which then shows nothing
fn store_then_load_release_acquire(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, SeqCst);
    y.load(SeqCst)
}
