//! The exercise's tests (`cargo xtask export squares DIR --exercise`):
//! each names the function it judges, and passes once that function is right.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use testkit::{assert_workers_ran, assert_written, run, texts};

const BIN: &str = env!("CARGO_BIN_EXE_squares");

#[test]
fn map_in_processes_returns_every_result_in_input_order() {
    for workers in ["1", "3", "8"] {
        let output = run(BIN, &["--tasks", "7", "--workers", workers, "--sleep-ms", "1"]);
        assert_written(&output, "map_in_processes");
        let stdout = texts(&output).0;
        assert!(stdout.ends_with("Results are the same: true\n"), "map_in_processes: {stdout}");
    }
    assert_workers_ran(
        BIN,
        &["--tasks", "4", "--workers", "2", "--sleep-ms", "50"],
        "map_in_processes",
    );
}
