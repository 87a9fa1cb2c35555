//! Runs the real `integrate_sin` binary: sequential and pool results are
//! bit-identical and correct, and a dead worker ends the run.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

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

const ARGS_SMALL: &[&str] = &["--tasks", "3", "--workers", "2", "--reps", "10"];
/// Two workers on tasks of about 0.7 s each: long enough to be caught mid-task.
const SLOW_POOL: &[&str] = &["--tasks", "2", "--workers", "2", "--reps", "4000000"];

#[test]
fn head_ends_the_run_quietly() {
    let (first, output) = testkit::run_into_head(BIN, ARGS_SMALL);
    assert!(!first.is_empty());
    testkit::assert_quiet_end(&output);
}

#[test]
fn a_full_disk_is_one_line() {
    let output = testkit::run_into_full_disk(BIN, ARGS_SMALL);
    testkit::assert_one_line_error(&output, "No space left on device");
}

#[test]
fn no_worker_outlives_a_killed_parent() {
    // From the first instructions to the middle of the parallel phase.
    let args = &["--tasks", "4", "--workers", "4", "--reps", "100000"];
    testkit::assert_no_worker_outlives_its_parent(
        BIN,
        args,
        &[0, 1, 2, 4, 8, 16, 50, 100, 200, 300, 400, 500],
    );
}

#[test]
fn a_worker_answering_more_than_asked_is_an_error() {
    let mut run = Started::new(BIN, SLOW_POOL, &[]);
    let workers = run.wait_for_workers(2).expect("the pool starts");
    testkit::write_to_stdout_of(workers[0], "7\n");
    let output = run.finish();
    testkit::assert_one_line_error(&output, "worker 0 answered \"7\"");
    assert_all_gone(&workers);
}

#[test]
fn a_dead_worker_is_reported_whatever_the_others_are_doing() {
    let mut run = Started::new(BIN, SLOW_POOL, &[]);
    let workers = run.wait_for_workers(2).expect("the pool starts");
    // The other worker is stopped mid-task, so it will never answer.
    testkit::stop(workers[1]);
    testkit::kill(workers[0]);
    let output = run.finish_within(std::time::Duration::from_secs(5));
    assert_worker_failed(&output, "SIGKILL");
    assert_all_gone(&workers);
}

#[test]
fn a_thread_that_cannot_start_is_one_line() {
    let args = ["--tasks", "256", "--workers", "256", "--reps", "1"];
    // Processes: 256 threads read the workers' answers, all alive at once,
    // and under this limit some cannot start.
    let output = testkit::run_limited("ulimit -v 150000", BIN, &args);
    testkit::assert_one_line_error(&output, "cannot start a thread");
    // Threads: the pool's own threads.
    let threads = [&args[..], &["--threads"]].concat();
    let output = testkit::run_limited(testkit::NO_THREADS, BIN, &threads);
    testkit::assert_one_line_error(&output, "cannot start a thread");
}

#[test]
fn a_worker_started_by_hand_refuses_an_infinite_interval() {
    let dir = testkit::fresh_dir(env!("CARGO_TARGET_TMPDIR"), "integrate_sin-by-hand");
    let me = std::process::id().to_string();
    let args = ["--worker", &me, "--reps", "1"];
    for bad in ["0 inf\n", "0 NaN\n", "1\n"] {
        let output = testkit::run_with_input(BIN, &args, bad.as_bytes(), &dir);
        testkit::assert_one_line_error(&output, "is not a task");
    }
}
