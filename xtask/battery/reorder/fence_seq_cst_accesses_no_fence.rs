//! wrong: SeqCst accesses and no fence, for the function that is the fence's experiment
fn store_fence_load(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, SeqCst);
    y.load(SeqCst)
}
