// Thread 1's half of a round with the ordering named: this compiles.
use std::sync::atomic::{AtomicBool, Ordering};

pub fn store_then_load(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, Ordering::SeqCst);
    y.load(Ordering::SeqCst)
}
