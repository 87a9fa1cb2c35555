//! Runs the real `locked_counter` binary: with the lock, and with fetch_add,
//! the count is exactly workers x iters, every time.

use std::path::Path;

use testkit::{
    Started, assert_all_gone, assert_refused, assert_worker_failed, entries, fresh_dir, run,
    run_with_tmp, texts,
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
        assert!(lines[1].starts_with(&format!("get_lock (flock): {total} of {total}, time = ")));
        assert!(lines[2].starts_with(&format!("fetch_add:        {total} of {total}, time = ")));
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
}

fn start_long_run(tmp: &Path) -> Started {
    // Each locked increment is a system call or two: this runs for a while.
    Started::new(
        BIN,
        &["--workers", "4", "--iters", "500000"],
        &[("TMPDIR", tmp)],
    )
}

#[test]
fn a_killed_worker_ends_the_run_with_a_clear_error_and_no_leftovers() {
    let tmp = fresh_dir(TMP, "locked_counter-kill");
    let mut run = start_long_run(&tmp);
    let workers = run.wait_for_workers(4).expect("the workers start");
    assert!(testkit::kill(workers[0]));
    let output = run.finish();
    assert_worker_failed(&output, "SIGKILL");
    assert_all_gone(&workers);
    assert_eq!(entries(&tmp), Vec::<String>::new());
}

#[test]
fn ctrl_c_leaves_no_file_and_no_worker() {
    let tmp = fresh_dir(TMP, "locked_counter-ctrl-c");
    let mut run = start_long_run(&tmp);
    let workers = run.wait_for_workers(4).expect("the workers start");
    run.interrupt();
    assert!(!run.finish().status.success());
    assert_all_gone(&workers);
    assert_eq!(entries(&tmp), Vec::<String>::new());
}
