//! The exercise's tests (`cargo xtask export race_threads DIR --exercise`):
//! each names the function it judges, and passes once that function is right.
#![cfg(target_os = "linux")]

use testkit::{assert_written, run_answer, texts};

const BIN: &str = env!("CARGO_BIN_EXE_race_threads");

/// The count on the line that starts with `label`. The program runs both
/// functions, one after the other: a run that hangs names both.
fn count(label: &str, function: &str) -> String {
    let both = "increment_fetch_add or increment_locked";
    let output = run_answer(BIN, &["--workers", "10", "--iters", "300000"], both);
    assert_written(&output, function);
    let stdout = texts(&output).0;
    let line = stdout.lines().find_map(|l| l.strip_prefix(label)).expect("the line is printed");
    line.split(',').next().unwrap().trim().to_string()
}

#[test]
fn increment_fetch_add_loses_no_update() {
    // Three runs: a load then a store loses updates in most runs, not all.
    for _ in 0..3 {
        let count = count("fetch_add:", "increment_fetch_add");
        assert_eq!(count, "3000000 of 3000000", "increment_fetch_add");
    }
}

#[test]
fn increment_locked_loses_no_update() {
    for _ in 0..3 {
        assert_eq!(count("Mutex:", "increment_locked"), "3000000 of 3000000", "increment_locked");
    }
}
