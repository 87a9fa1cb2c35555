//! The exercise's tests (`cargo xtask export locked_counter DIR --exercise`):
//! each names the function it judges, and passes once that function is right.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use testkit::{assert_workers_ran, assert_written, run, texts};

const BIN: &str = env!("CARGO_BIN_EXE_locked_counter");

#[test]
fn increment_under_the_lock_is_exact() {
    for _ in 0..3 {
        let output = run(BIN, &["--workers", "4", "--iters", "200000"]);
        assert_written(&output, "increment");
        let stdout = texts(&output).0;
        assert_eq!(stdout.lines().next(), Some("800000"), "increment: the count must be exact");
    }
    assert_workers_ran(BIN, &["--workers", "2", "--iters", "8000000"], "increment");
}
