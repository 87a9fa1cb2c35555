//! The exercise's tests (`cargo xtask export reorder DIR --exercise`): each
//! names the function it judges, and passes once that function is right.
//! What a weaker ordering allows is never asserted to happen: one CPU, or a
//! busy machine, may show no reordering at all.
#![cfg(target_os = "linux")]

use testkit::{assert_written, body_of, run_answer, texts};

const BIN: &str = env!("CARGO_BIN_EXE_reorder");

/// The rounds that ended with r1 = r2 = 0 on the line that starts with
/// `label`, and the rounds run.
fn both_zero(label: &str, function: &str) -> (u64, u64) {
    let output = run_answer(BIN, &["--rounds", "100000"], function);
    assert_written(&output, function);
    let stdout = texts(&output).0;
    let line = stdout.lines().find_map(|l| l.strip_prefix(label)).expect("the line is printed");
    let words: Vec<&str> = line.split_whitespace().collect();
    (words[0].parse().unwrap(), words[2].parse().unwrap())
}

#[test]
fn store_then_load_release_acquire_runs_every_round() {
    let (count, rounds) = both_zero("Release/Acquire:", "store_then_load_release_acquire");
    assert!((1..=100_000).contains(&rounds), "a busy machine may stop the run early");
    assert!(count <= rounds, "store_then_load_release_acquire");
}

#[test]
fn store_then_load_seq_cst_never_lets_both_loads_see_zero() {
    let (count, _) = both_zero("SeqCst:", "store_then_load_seq_cst");
    assert_eq!(count, 0, "store_then_load_seq_cst: {count} rounds ended with r1 = r2 = 0");
}

/// The body of `function` as written in src/main.rs.
fn body(function: &str) -> String {
    let main = concat!(env!("CARGO_MANIFEST_DIR"), "/src/main.rs");
    body_of(&std::fs::read_to_string(main).expect("src/main.rs"), function)
}

// What running cannot show: an x86-64 CPU never lets a load pass a SeqCst
// store, whatever ordering the load names, so these read the orderings named.

#[test]
fn store_then_load_seq_cst_names_seq_cst_for_both_or_puts_a_fence_between() {
    let body = body("store_then_load_seq_cst");
    let weaker = ["Relaxed", "Release", "Acquire", "AcqRel"].iter().any(|o| body.contains(o));
    assert!(body.contains("SeqCst"), "store_then_load_seq_cst names no SeqCst: {body}");
    assert!(
        !weaker || body.contains("fence"),
        "store_then_load_seq_cst: a weaker ordering on the store or the load lets the load \
         pass the store (this CPU may not show it, others do): SeqCst for both, or a SeqCst \
         fence between them: {body}"
    );
}

#[test]
fn store_then_load_release_acquire_names_release_and_acquire() {
    let body = body("store_then_load_release_acquire");
    assert!(
        !body.contains("SeqCst"),
        "store_then_load_release_acquire: SeqCst is the next experiment, not this one: {body}"
    );
    assert!(
        body.contains("Release") && body.contains("Acquire") && !body.contains("Relaxed"),
        "store_then_load_release_acquire: a Release store, then an Acquire load: {body}"
    );
}
