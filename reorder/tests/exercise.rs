//! The exercise's tests (`cargo xtask export reorder DIR --exercise`): each
//! names the function it judges, and passes once that function is right.
//! What a weaker ordering allows is never asserted to happen: one CPU, or a
//! busy machine, may show no reordering at all.
#![cfg(target_os = "linux")]

use testkit::{assert_written, run, texts};

const BIN: &str = env!("CARGO_BIN_EXE_reorder");

/// The rounds that ended with r1 = r2 = 0 on the line that starts with
/// `label`, and the rounds run.
fn both_zero(label: &str, function: &str) -> (u64, u64) {
    let output = run(BIN, &["--rounds", "100000"]);
    assert_written(&output, function);
    let stdout = texts(&output).0;
    let line = stdout.lines().find_map(|l| l.strip_prefix(label)).expect("the line is printed");
    let words: Vec<&str> = line.split_whitespace().collect();
    (words[0].parse().unwrap(), words[2].parse().unwrap())
}

#[test]
fn store_then_load_release_acquire_runs_every_round() {
    let (count, rounds) = both_zero("Release/Acquire:", "store_then_load_release_acquire");
    assert_eq!(rounds, 100_000);
    assert!(count <= rounds, "store_then_load_release_acquire");
}

#[test]
fn store_then_load_seq_cst_never_lets_both_loads_see_zero() {
    let (count, _) = both_zero("SeqCst:", "store_then_load_seq_cst");
    assert_eq!(count, 0, "store_then_load_seq_cst: {count} rounds ended with r1 = r2 = 0");
}
