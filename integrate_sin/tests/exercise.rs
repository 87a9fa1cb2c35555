//! The exercise's tests (`cargo xtask export integrate_sin DIR --exercise`):
//! each names the function it judges, and passes once that function is
//! right: the results in input order, and a pool's work, each task done
//! once by a worker, several at a time, as the workers' own record (the
//! timeline) says.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use testkit::{Expect, assert_written, before_timeline, judge_run, run_answer, texts};

const BIN: &str = env!("CARGO_BIN_EXE_integrate_sin");

#[test]
fn map_in_processes_returns_every_result_in_input_order() {
    // Past x = pi (task 31) the integrals shrink again: results gathered as
    // they come and then sorted are not in input order.
    for (workers, tasks) in [("1", "7"), ("3", "40"), ("8", "40")] {
        let args = ["--tasks", tasks, "--workers", workers, "--reps", "10"];
        let output = run_answer(BIN, &args, "map_in_processes");
        assert_written(&output, "map_in_processes");
        let stdout = texts(&output).0;
        let stdout = before_timeline(&stdout);
        assert!(stdout.ends_with("Results are the same: true\n"), "map_in_processes: {stdout}");
    }
}

#[test]
fn map_in_processes_is_a_pool_whose_workers_share_the_tasks() {
    let expect = Expect { tasks: Some(8), exactly: false, ..Expect::new("map_in_processes", 3) };
    let args = ["--tasks", "8", "--workers", "3", "--reps", "20000"];
    judge_run(BIN, &args, &expect);
}
