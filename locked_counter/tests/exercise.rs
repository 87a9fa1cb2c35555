//! The exercise's tests (`cargo xtask export locked_counter DIR --exercise`):
//! each names the function it judges, and passes once that function is
//! right. (The unit tests at the end of `src/main.rs` judge what `increment`
//! calls: the lock taken once an increment, the get and the set under it.)
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use testkit::{assert_written, run_answer, texts};

const BIN: &str = env!("CARGO_BIN_EXE_locked_counter");

#[test]
fn increment_under_the_lock_is_exact() {
    for _ in 0..3 {
        let output = run_answer(BIN, &["--workers", "4", "--iters", "200000"], "increment");
        assert_written(&output, "increment");
        let stdout = texts(&output).0;
        assert_eq!(stdout.lines().next(), Some("800000"), "increment: the count must be exact");
    }
}
