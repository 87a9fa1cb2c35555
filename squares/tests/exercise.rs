//! The exercise's tests (`cargo xtask export squares DIR --exercise`):
//! each names the function it judges, and passes once that function is right.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use testkit::{assert_workers_at_most, assert_workers_at_once, assert_written, run_answer, texts};

const BIN: &str = env!("CARGO_BIN_EXE_squares");

#[test]
fn map_in_processes_returns_every_result_in_input_order() {
    for workers in ["1", "3", "8"] {
        let args = ["--tasks", "7", "--workers", workers, "--sleep-ms", "1"];
        let output = run_answer(BIN, &args, "map_in_processes");
        assert_written(&output, "map_in_processes");
        let stdout = texts(&output).0;
        let stdout = testkit::before_timeline(&stdout);
        assert!(stdout.ends_with("Results are the same: true\n"), "map_in_processes: {stdout}");
    }
    // A pool: its workers alive together, and no more of them than asked
    // for, however many tasks (each task lasts long enough to be seen).
    let pool = ["--tasks", "4", "--workers", "2", "--sleep-ms", "50"];
    assert_workers_at_once(BIN, &pool, 2, "map_in_processes");
    assert_workers_at_most(BIN, &pool, 2, "map_in_processes");
}
