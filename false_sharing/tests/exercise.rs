//! The exercise's tests (`cargo xtask export false_sharing DIR --exercise`):
//! each names the function it judges, and passes once that function is right.
#![cfg(target_os = "linux")]

use testkit::{assert_written, run_answer, texts};

const BIN: &str = env!("CARGO_BIN_EXE_false_sharing");

/// The line that starts with `label`, from a run of 3 threads x 100000.
fn line(label: &str, function: &str) -> String {
    let output = run_answer(BIN, &["--workers", "3", "--iters", "100000"], function);
    assert_written(&output, function);
    let stdout = texts(&output).0;
    let line = stdout.lines().find_map(|l| l.strip_prefix(label));
    line.unwrap_or_else(|| panic!("{function}: no line {label:?} in {stdout}")).to_string()
}

#[test]
fn increment_adds_every_one() {
    let line = line("Next to each other:", "increment");
    assert!(line.trim_start().starts_with("300000 of 300000,"), "increment: {line}");
}

#[test]
fn padded_counters_gives_each_thread_a_line_of_its_own() {
    let line = line("Own cache lines:", "padded_counters");
    assert!(line.trim_start().starts_with("300000 of 300000,"), "padded_counters: {line}");
    let apart: usize =
        line.split('(').nth(1).and_then(|l| l.split(' ').next()?.parse().ok()).unwrap();
    assert!(apart >= 64, "padded_counters: {line}");
}
