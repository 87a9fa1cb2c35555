//! wrong: a SeqCst load then a SeqCst store, still two steps
fn increment_fetch_add(x: &AtomicU64, iters: u64) {
    for _ in 0..iters {
        let v = x.load(std::sync::atomic::Ordering::SeqCst);
        x.store(v + 1, std::sync::atomic::Ordering::SeqCst);
    }
}
