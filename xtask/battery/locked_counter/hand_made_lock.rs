//! wrong: a check-then-set lock of its own, in a static (one per process)
static BUSY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn increment(x: &Value, iters: u32) {
    use std::sync::atomic::Ordering::SeqCst;
    for _ in 0..iters {
        while BUSY.load(SeqCst) {}
        BUSY.store(true, SeqCst);
        x.set(x.get() + 1);
        BUSY.store(false, SeqCst);
    }
}
