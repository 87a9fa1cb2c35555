//! right: orderings named by consts STORE, LOAD, STORE_SC, LOAD_SC
fn store_then_load_release_acquire(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, STORE);
    y.load(LOAD)
}

fn store_then_load_seq_cst(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, STORE_SC);
    y.load(LOAD_SC)
}

/// SeqCst: one order of all these accesses that every thread agrees on.
const STORE_SC: std::sync::atomic::Ordering = SeqCst;
const LOAD_SC: std::sync::atomic::Ordering = SeqCst;
/// Release/Acquire: they order what is before the store and after the load only.
const STORE: std::sync::atomic::Ordering = Release;
const LOAD: std::sync::atomic::Ordering = Acquire;
