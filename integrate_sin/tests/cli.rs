//! Runs the real `integrate_sin` binary: sequential and pool results are
//! bit-identical and correct, and a dead worker ends the run.

use testkit::{Started, assert_all_gone, assert_refused, assert_worker_failed, run, texts};

const BIN: &str = env!("CARGO_BIN_EXE_integrate_sin");

#[test]
fn results_are_the_same_for_any_worker_and_task_count() {
    for (tasks, workers) in [(1, 1), (20, 4), (7, 3), (3, 8)] {
        for mode in [&[][..], &["--threads"][..]] {
            let (t, w) = (tasks.to_string(), workers.to_string());
            let mut args = vec!["--tasks", &t, "--workers", &w, "--reps", "50"];
            args.extend_from_slice(mode);
            let output = run(BIN, &args);
            let (stdout, stderr) = texts(&output);
            assert!(output.status.success(), "{args:?}: {stderr}");
            let lines: Vec<&str> = stdout.lines().collect();
            // Times with four decimals, as in the notebook.
            let seq = lines[0].strip_prefix("Sequential time: ").expect(lines[0]);
            assert_eq!(seq.split(['.', ' ']).nth(1).map(str::len), Some(4), "{seq}");
            assert!(lines[1].starts_with("Parallel time: ") && lines[1].ends_with(" seconds"));
            assert_eq!(lines[2], "Results are the same: true", "{args:?}");
        }
    }
}

#[test]
fn bad_flags_are_refused_before_any_work() {
    assert_refused(&run(BIN, &["--workers", "0"]), "--workers");
    assert_refused(&run(BIN, &["--workers", "100000"]), "--workers");
    assert_refused(&run(BIN, &["--reps", "-1"]), "--reps");
    assert_refused(&run(BIN, &["--reps", "abc"]), "--reps");
    assert_refused(&run(BIN, &["--tasks", "0"]), "--tasks");
}

/// A run whose pool tasks take long enough to be caught: 200,000 integrals
/// per interval, about 0.1 s each.
fn start_slow_pool() -> Started {
    Started::new(
        BIN,
        &["--tasks", "4", "--workers", "2", "--reps", "200000"],
        &[],
    )
}

#[test]
fn a_worker_killed_mid_pool_ends_the_run_with_a_clear_error() {
    let mut run = start_slow_pool();
    let workers = run.wait_for_workers(2).expect("the pool starts");
    assert!(testkit::kill(workers[0]));
    let output = run.finish();
    assert_worker_failed(&output, "SIGKILL");
    assert_all_gone(&workers);
}

#[test]
fn ctrl_c_stops_the_parent_and_every_worker() {
    let mut run = start_slow_pool();
    let workers = run.wait_for_workers(2).expect("the pool starts");
    run.interrupt();
    assert!(!run.finish().status.success());
    assert_all_gone(&workers);
}
