//! Runs the real `squares` binary: the pool returns every square, in order,
//! for any worker and task count, and a dead worker ends the run.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use std::time::Duration;

use testkit::{assert_all_gone, assert_refused, assert_worker_failed, run, texts};

const BIN: &str = env!("CARGO_BIN_EXE_squares");

#[test]
fn results_are_the_same_for_any_worker_and_task_count() {
    for (tasks, workers) in [(1, 1), (10, 4), (7, 3), (3, 8)] {
        for mode in [&[][..], &["--threads"][..]] {
            let (t, w) = (tasks.to_string(), workers.to_string());
            let mut args = vec!["--tasks", &t, "--workers", &w, "--sleep-ms", "1"];
            args.extend_from_slice(mode);
            let output = run(BIN, &args);
            let (stdout, stderr) = texts(&output);
            assert!(output.status.success(), "{args:?}: {stderr}");
            let lines: Vec<&str> = stdout.lines().collect();
            assert!(lines[0].starts_with("Sequential time: ") && lines[0].ends_with(" seconds"));
            assert!(lines[1].starts_with("Parallel time: ") && lines[1].ends_with(" seconds"));
            assert_eq!(lines[2], "Results are the same: true", "{args:?}");
        }
    }
}

#[test]
fn bad_flags_are_refused_before_any_work() {
    assert_refused(&run(BIN, &["--workers", "0"]), "--workers");
    assert_refused(&run(BIN, &["--workers", "100000"]), "--workers");
    assert_refused(&run(BIN, &["--tasks", "-1"]), "--tasks");
    assert_refused(&run(BIN, &["--tasks", "abc"]), "--tasks");
    assert_refused(&run(BIN, &["--sleep-ms", "-5"]), "--sleep-ms");
}

/// A pool of two workers: what a test does to it, it does while a caught
/// worker is stopped, and the run cannot end without that worker.
const POOL: &[&str] = &["--tasks", "4", "--workers", "2", "--sleep-ms", "50"];

#[test]
fn a_worker_killed_mid_pool_ends_the_run_with_a_clear_error() {
    let (run, workers) = testkit::start_caught(BIN, POOL, &[], 1);
    testkit::kill(workers[0]);
    assert_worker_failed(&run.finish(), "SIGKILL");
    assert_all_gone(&workers);
}

#[test]
fn ctrl_c_stops_the_parent_and_every_worker() {
    let (run, workers) = testkit::start_caught(BIN, POOL, &[], 1);
    run.interrupt();
    testkit::resume(workers[0]); // a stopped worker takes its SIGINT as it goes on
    assert!(!run.finish().status.success());
    assert_all_gone(&workers);
}

#[test]
fn a_stopped_worker_goes_with_its_killed_parent() {
    let (run, _) = testkit::start_caught(BIN, POOL, &[], 1);
    assert_eq!(run.kill_parent(), "", "the workers said something");
}

const ARGS_SMALL: &[&str] = &["--tasks", "3", "--workers", "2", "--sleep-ms", "1"];

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
    // From the first instructions to the middle of the parallel phase
    // (100 ms of sequential tasks, then the pool: about 130 ms in all).
    let args = &["--tasks", "4", "--workers", "4", "--sleep-ms", "25"];
    testkit::assert_no_worker_outlives_its_parent(
        BIN,
        args,
        &[0, 1, 2, 4, 8, 50, 95, 100, 105, 110, 115, 120],
    );
}

#[test]
fn a_worker_answering_more_than_asked_is_an_error() {
    let (run, workers) = testkit::start_caught(BIN, POOL, &[], 1);
    testkit::write_to_stdout_of(workers[0], "7\n");
    let output = run.finish();
    testkit::assert_one_line_error(&output, " answered \"");
    assert_all_gone(&workers);
}

#[test]
fn a_stopped_worker_does_not_hide_a_dead_one() {
    let (run, workers) = testkit::start_caught(BIN, POOL, &[], 2);
    testkit::kill(workers[1]); // the first stays stopped, and never answers
    let output = run.finish_within(Duration::from_secs(10));
    assert_worker_failed(&output, "SIGKILL");
    assert_all_gone(&workers);
}

#[test]
fn a_thread_that_cannot_start_is_one_line() {
    // Processes: a thread reads each worker's answers; threads: the pool's
    // own. Every start fails (NO_THREADS says why not `ulimit -v`).
    let args = ["--tasks", "256", "--workers", "256", "--sleep-ms", "0"];
    for mode in [&[][..], &["--threads"][..]] {
        let output = testkit::run_limited(testkit::NO_THREADS, BIN, &[&args[..], mode].concat());
        testkit::assert_one_line_error(&output, "cannot start a thread");
    }
}

#[test]
fn a_worker_started_by_hand_refuses_a_number_its_parent_never_sends() {
    let dir = testkit::fresh_dir(env!("CARGO_TARGET_TMPDIR"), "squares-by-hand");
    let me = std::process::id().to_string();
    let args = ["--worker", &me, "--sleep-ms", "0"];
    let output = testkit::run_with_input(BIN, &args, b"3 5\n", &dir);
    // Its answer, and after a tab the record of what it did (for the timeline).
    assert!(texts(&output).0.starts_with("3 25\t@"), "{output:?}");
    for bad in ["0 4294967296\n", "0 100000\n", "0 -1\n"] {
        let output = testkit::run_with_input(BIN, &args, bad.as_bytes(), &dir);
        testkit::assert_one_line_error(&output, "is not a task");
    }
}

#[test]
fn every_numeric_flag_takes_the_lectures_underscores() {
    let args = ["--tasks", "1_0", "--workers", "0_4", "--sleep-ms", "0_1"];
    let output = run(BIN, &args);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    let stdout = testkit::before_timeline(&stdout);
    assert!(stdout.ends_with("Results are the same: true\n"), "{stdout}");
}

#[test]
fn the_timeline_shows_which_worker_did_which_task_and_an_idle_one_idle() {
    for mode in [&[][..], &["--threads"][..]] {
        let args = [&["--tasks", "5", "--workers", "3", "--sleep-ms", "20"][..], mode].concat();
        let (output, recorded) = testkit::run_recorded(BIN, &args);
        let drawn = testkit::timelines(&texts(&output).0);
        assert_eq!((drawn.len(), drawn[0].rows.len()), (1, 3));
        testkit::assert_well_recorded(&recorded);
        let mut tasks: Vec<usize> = recorded[0].spans.iter().filter_map(|s| s.task).collect();
        tasks.sort();
        assert_eq!(tasks, [0, 1, 2, 3, 4], "each task computed once: {:?}", recorded[0]);
    }
    // More threads than tasks: a row for each, the idle ones never computing
    // (blank, but for a moment's wait for the queue on a busy machine).
    let args = ["--tasks", "2", "--workers", "4", "--sleep-ms", "50", "--threads"];
    let drawn = testkit::timelines(&texts(&run(BIN, &args)).0);
    let computing = |c: char| c.is_ascii_digit() || c == '#';
    let idle = drawn[0].rows.iter().filter(|(_, bar)| !bar.contains(computing)).count();
    assert_eq!((drawn[0].rows.len(), idle), (4, 2), "{drawn:?}");
}
