//! The exercise's tests (`cargo xtask export spin_lock DIR --exercise`):
//! each names the function it judges, and passes once that function is
//! right. (The unit tests at the end of `src/main.rs` judge the lock itself:
//! held until its guard is dropped, one thread at a time, and the
//! orderings it is taken and let go with.)
#![cfg(target_os = "linux")]

use testkit::{assert_written, run_answer, texts};

const BIN: &str = env!("CARGO_BIN_EXE_spin_lock");

#[test]
fn the_spin_lock_keeps_every_addition() {
    let both = "SpinLock::lock or SpinGuard::drop";
    for _ in 0..3 {
        let output = run_answer(BIN, &["--workers", "6", "--iters", "50000", "--work", "20"], both);
        assert_written(&output, both);
        let stdout = texts(&output).0;
        let spin: Vec<&str> = stdout.lines().filter(|l| l.starts_with("  spin lock: ")).collect();
        assert_eq!(spin.len(), 2, "{stdout}");
        assert!(spin[1].starts_with("  spin lock: 300000 of 300000,"), "{both}: {}", spin[1]);
    }
}
