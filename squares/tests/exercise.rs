//! The exercise's tests (`cargo xtask export squares DIR --exercise`): each
//! names the function it judges, and passes once that function is right:
//! the results in input order, and a pool's work, each task done once by a
//! worker, several at a time, as the workers' own record (the timeline) says.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use testkit::{Expect, assert_written, before_timeline, judge_run, run_answer, texts};

const BIN: &str = env!("CARGO_BIN_EXE_squares");

#[test]
fn map_in_processes_returns_every_result_in_input_order() {
    for workers in ["1", "3", "8"] {
        let args = ["--tasks", "7", "--workers", workers, "--sleep-ms", "1"];
        let output = run_answer(BIN, &args, "map_in_processes");
        assert_written(&output, "map_in_processes");
        let stdout = texts(&output).0;
        let stdout = before_timeline(&stdout);
        assert!(stdout.ends_with("Results are the same: true\n"), "map_in_processes: {stdout}");
    }
}

#[test]
fn map_in_processes_is_a_pool_whose_workers_share_the_tasks() {
    // Six tasks on three workers: each task done once, by one of at most
    // three workers, more than one of them at a time.
    let expect = Expect { tasks: Some(6), exactly: false, ..Expect::new("map_in_processes", 3) };
    let args = ["--tasks", "6", "--workers", "3", "--sleep-ms", "40"];
    judge_run(BIN, &args, &expect);
}
