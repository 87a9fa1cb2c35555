//! right: the orderings named in consts outside the bodies
fn store_then_load_release_acquire(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, STORE);
    y.load(LOAD)
}

fn store_then_load_seq_cst(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, STRONG);
    y.load(STRONG)
}

const STORE: std::sync::atomic::Ordering = Release;
const LOAD: std::sync::atomic::Ordering = Acquire;
const STRONG: std::sync::atomic::Ordering = SeqCst;
