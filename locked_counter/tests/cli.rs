//! Runs the real `locked_counter` binary: with the lock, and with fetch_add,
//! the count is exactly workers x iters, every time.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use std::time::Duration;

use testkit::{
    assert_all_gone, assert_refused, assert_worker_failed, entries, fresh_dir, run, run_with_tmp,
    texts,
};

const BIN: &str = env!("CARGO_BIN_EXE_locked_counter");
const TMP: &str = env!("CARGO_TARGET_TMPDIR");

#[test]
fn both_counts_are_exact_for_any_worker_count() {
    let tmp = fresh_dir(TMP, "locked_counter-counts");
    for (workers, iters) in [(1, 1), (2, 1000), (4, 20_000), (9, 3_333)] {
        let (w, i) = (workers.to_string(), iters.to_string());
        let output = run_with_tmp(BIN, &["--workers", &w, "--iters", &i], &tmp);
        let (stdout, stderr) = texts(&output);
        assert!(output.status.success(), "{stderr}");
        let total = workers * iters;
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines[0], total.to_string(), "the slide's line: {stdout}");
        assert!(lines[1].starts_with(&format!("get_lock:  {total} of {total}, time = ")));
        assert!(lines[2].starts_with(&format!("fetch_add: {total} of {total}, time = ")));
        assert_eq!(entries(&tmp), Vec::<String>::new());
    }
}

#[test]
fn the_default_is_the_slides_400000() {
    let output = run(BIN, &[]);
    assert_eq!(texts(&output).0.lines().next(), Some("400000"));
}

#[test]
fn bad_flags_are_refused_before_any_work() {
    assert_refused(&run(BIN, &["--workers", "0"]), "--workers");
    assert_refused(&run(BIN, &["--workers", "100000"]), "--workers");
    assert_refused(&run(BIN, &["--iters", "-1"]), "--iters");
    assert_refused(&run(BIN, &["--iters", "abc"]), "--iters");
    // A worker's own flag, without --worker, is refused, not ignored.
    assert_refused(&run(BIN, &["--fetch-add"]), "--worker");
}

/// Four workers, 8 million increments each.
const LONG: &[&str] = &["--workers", "4", "--iters", "8000000"];

#[test]
fn a_killed_worker_ends_the_run_with_a_clear_error_and_no_leftovers() {
    let tmp = fresh_dir(TMP, "locked_counter-kill");
    let (run, workers) = testkit::start_caught(BIN, LONG, &[("TMPDIR", &tmp)], 1);
    testkit::kill(workers[0]);
    assert_worker_failed(&run.finish(), "SIGKILL");
    assert_all_gone(&workers);
    assert_eq!(entries(&tmp), Vec::<String>::new());
}

#[test]
fn a_stopped_worker_does_not_hide_a_dead_one() {
    let tmp = fresh_dir(TMP, "locked_counter-stopped-and-dead");
    let (run, workers) = testkit::start_caught(BIN, LONG, &[("TMPDIR", &tmp)], 2);
    testkit::kill(workers[1]); // the first stays stopped
    let output = run.finish_within(Duration::from_secs(10));
    assert_worker_failed(&output, "SIGKILL");
    assert_all_gone(&workers);
}

#[test]
fn ctrl_c_leaves_no_file_and_no_worker() {
    let tmp = fresh_dir(TMP, "locked_counter-ctrl-c");
    let (run, workers) = testkit::start_caught(BIN, LONG, &[("TMPDIR", &tmp)], 1);
    run.interrupt();
    testkit::resume(workers[0]); // a stopped worker takes its SIGINT as it goes on
    assert!(!run.finish().status.success());
    assert_all_gone(&workers);
    assert_eq!(entries(&tmp), Vec::<String>::new());
}

#[test]
fn a_stopped_worker_goes_with_its_killed_parent_and_leaves_no_file() {
    let tmp = fresh_dir(TMP, "locked_counter-stopped");
    let (run, _) = testkit::start_caught(BIN, LONG, &[("TMPDIR", &tmp)], 1);
    assert_eq!(run.kill_parent(), "", "the workers said something");
    assert_eq!(entries(&tmp), Vec::<String>::new());
}

const ARGS_SMALL: &[&str] = &["--workers", "2", "--iters", "10"];

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
    let args = &["--workers", "16", "--iters", "2000000"];
    testkit::assert_no_worker_outlives_its_parent(
        BIN,
        args,
        &[0, 1, 2, 3, 4, 6, 8, 12, 16, 32, 50, 100],
    );
}

#[test]
fn a_worker_started_by_hand_ends_with_a_clear_line() {
    let dir = fresh_dir(TMP, "locked_counter-by-hand");
    let me = std::process::id().to_string();
    let args = ["--worker", &me];
    let output = testkit::run_with_input(BIN, &args, &[0; 3], &dir);
    testkit::assert_one_line_error(&output, "not a counter");
    // The right size, but not made by this parent: no spin at the start gate.
    let output = testkit::run_with_input(BIN, &args, &[0; 16], &dir);
    testkit::assert_one_line_error(&output, "is the shared file of 0, not");
}

#[test]
fn a_full_temp_dir_is_one_line_before_any_worker() {
    let dir = fresh_dir(TMP, "locked_counter-full");
    let Some(_full) = testkit::full_temp_dir(&dir) else {
        return;
    };
    let output = run_with_tmp(BIN, ARGS_SMALL, &dir);
    testkit::assert_one_line_error(&output, "No space left on device");
    assert!(texts(&output).1.contains("cannot write the shared file"));
}

#[test]
fn on_one_cpu_the_locked_count_is_exact() {
    let output = testkit::run_limited("taskset -pc 0 $$ >/dev/null", BIN, &[]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout.lines().next(), Some("400000"));
    assert!(stdout.contains("fetch_add: 400000 of 400000"), "{stdout}");
}

#[test]
fn two_timelines_have_a_row_per_process_and_each_counted_all_its_share() {
    let (output, recorded) = testkit::run_recorded(BIN, &["--workers", "3", "--iters", "20000"]);
    let drawn = testkit::timelines(&texts(&output).0);
    assert_eq!(drawn.iter().map(|t| t.rows.len()).collect::<Vec<_>>(), [3, 3]);
    testkit::assert_well_recorded(&recorded);
    for run in &recorded {
        for worker in &run.workers {
            let counted: usize = run.of(worker, "computing").iter().map(|s| s.size).sum();
            assert_eq!(counted, 20_000, "{}: {worker}", run.title);
        }
    }
}
