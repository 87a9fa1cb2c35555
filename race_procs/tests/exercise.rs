//! The exercise's tests (`cargo xtask export race_procs DIR --exercise`):
//! each names the function it judges, and passes once that function is right.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use testkit::{assert_workers_at_once, assert_written, run_answer, texts};

const BIN: &str = env!("CARGO_BIN_EXE_race_procs");

#[test]
fn increment_adds_one_iters_times() {
    // One process alone loses nothing; ten may lose many, but never invent one.
    for (workers, total) in [("1", 100_000), ("10", 1_000_000)] {
        let output = run_answer(BIN, &["--workers", workers, "--iters", "100000"], "increment");
        assert_written(&output, "increment");
        let count: i64 = texts(&output).0.lines().next().unwrap().parse().unwrap();
        match workers {
            "1" => assert_eq!(count, total, "increment: one process alone"),
            _ => assert!((1..=total).contains(&count), "increment: {count} of {total}"),
        }
    }
    assert_workers_at_once(BIN, &["--workers", "2", "--iters", "1000000"], 2, "increment");
}
