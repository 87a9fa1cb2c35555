//! The exercise's tests (`cargo xtask export race_procs DIR --exercise`):
//! each names the function it judges, and passes once that function is
//! right. (The unit tests at the end of `src/main.rs` judge what `increment`
//! calls: a get, then a set, each time.)
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use testkit::{assert_written, before_timeline, run_answer, texts};

const BIN: &str = env!("CARGO_BIN_EXE_race_procs");

#[test]
fn increment_adds_one_iters_times() {
    // One process alone loses nothing; ten may lose many, but never invent one.
    for (workers, iters, total) in [("1", "100000", 100_000), ("10", "20000", 200_000)] {
        let output = run_answer(BIN, &["--workers", workers, "--iters", iters], "increment");
        assert_written(&output, "increment");
        let stdout = texts(&output).0;
        let first = before_timeline(&stdout).lines().next().unwrap_or("");
        let count: i64 = first.parse().unwrap_or_else(|_| panic!("increment: {stdout}"));
        match workers {
            "1" => assert_eq!(count, total, "increment: one process alone"),
            _ => assert!((1..=total).contains(&count), "increment: {count} of {total}"),
        }
    }
}
