// threadP.py written the same way in Rust. It does not compile: ten threads
// would write `x` at once, and safe Rust allows one writer at a time.
use std::thread;

pub fn count() -> u64 {
    let mut x = 0;
    thread::scope(|s| {
        for _ in 0..10 {
            s.spawn(|| {
                for _ in 0..100_000 {
                    x += 1;
                }
            });
        }
    });
    x
}
