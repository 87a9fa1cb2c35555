//! The exercise's tests (`cargo xtask export caches DIR --exercise`): each
//! names the function it judges, and passes once that function is right.
//! (The unit tests at the end of `src/main.rs` judge the cycle, link by
//! link, and the chase, load by load; what a run's times show is for the
//! student to read, not for a test.)
#![cfg(target_os = "linux")]

use testkit::{assert_written, run_answer, texts};

const BIN: &str = env!("CARGO_BIN_EXE_caches");

#[test]
fn the_chase_runs_through_every_working_set() {
    let both = "one_cycle or chase";
    let args = ["--line-mib", "4", "--max-mib", "4", "--matrix", "64"];
    let output = run_answer(BIN, &args, both);
    assert_written(&output, both);
    let stdout = texts(&output).0;
    let sets = stdout
        .lines()
        .filter(|l| l.contains(" ns ") && l.trim_start().starts_with(char::is_numeric));
    assert_eq!(sets.count(), 11, "{both}: 4 KiB to 4 MiB: {stdout}");
}
