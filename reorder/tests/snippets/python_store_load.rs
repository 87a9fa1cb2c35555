// Thread 1's half of a round as Python writes it, `x = 1; r1 = y`, with no
// word about order. It does not compile: every atomic access in Rust names
// the ordering it needs.
use std::sync::atomic::AtomicBool;

pub fn store_then_load(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true);
    y.load()
}
