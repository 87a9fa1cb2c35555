// The same counter shared as an atomic: this compiles (and is exact).
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

pub fn count() -> u64 {
    let x = AtomicU64::new(0);
    thread::scope(|s| {
        for _ in 0..10 {
            s.spawn(|| {
                for _ in 0..100_000 {
                    x.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    x.into_inner()
}
