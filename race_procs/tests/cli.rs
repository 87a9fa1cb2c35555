//! Runs the real `race_procs` binary and checks what must always hold: a
//! racy count never exceeds the total, and nothing is left behind.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use std::path::Path;

use testkit::{
    Started, assert_all_gone, assert_refused, assert_worker_failed, entries, fresh_dir, run,
    run_with_tmp, texts,
};

const BIN: &str = env!("CARGO_BIN_EXE_race_procs");
const TMP: &str = env!("CARGO_TARGET_TMPDIR");

#[test]
fn the_count_is_in_bounds_and_the_lost_updates_add_up() {
    let tmp = fresh_dir(TMP, "race_procs-counts");
    for (workers, iters) in [(1, 1), (1, 1000), (3, 5000), (10, 100_000)] {
        let (w, i) = (workers.to_string(), iters.to_string());
        let output = run_with_tmp(BIN, &["--workers", &w, "--iters", &i], &tmp);
        let (stdout, stderr) = texts(&output);
        assert!(output.status.success(), "{stderr}");
        let lines: Vec<&str> = stdout.lines().collect();
        let count: i64 = lines[0].parse().expect("the first line is the count");
        let total = workers * iters;
        // Updates may be lost, but never invented; the last store is at least 1.
        assert!((1..=total).contains(&count), "{count} of {total}");
        if workers == 1 {
            assert_eq!(count, total, "one process alone loses nothing");
        }
        assert_eq!(
            lines[1],
            format!("lost {} of {total} updates", total - count)
        );
        assert_eq!(entries(&tmp), Vec::<String>::new());
    }
}

#[test]
fn bad_flags_are_refused_before_any_work() {
    assert_refused(&run(BIN, &["--workers", "0"]), "--workers");
    assert_refused(&run(BIN, &["--workers", "100000"]), "--workers");
    assert_refused(&run(BIN, &["--iters", "-1"]), "--iters");
    assert_refused(&run(BIN, &["--iters", "abc"]), "--iters");
}

fn start_long_run(tmp: &Path) -> Started {
    Started::new(
        BIN,
        &["--workers", "4", "--iters", "8000000"],
        &[("TMPDIR", tmp)],
    )
}

#[test]
fn a_killed_worker_ends_the_run_with_a_clear_error_and_no_leftovers() {
    let tmp = fresh_dir(TMP, "race_procs-kill");
    // A worker counts for a few ms: if all finished before the kill landed,
    // the run succeeds, and we try again.
    for _ in 0..5 {
        let mut run = start_long_run(&tmp);
        let Some(workers) = run.wait_for_workers(4) else {
            run.finish();
            continue;
        };
        testkit::kill(workers[3]);
        let output = run.finish();
        assert_all_gone(&workers);
        assert_eq!(entries(&tmp), Vec::<String>::new());
        if !output.status.success() {
            assert_worker_failed(&output, "SIGKILL");
            return;
        }
    }
    panic!("the workers always finished before one could be killed");
}

#[test]
fn ctrl_c_leaves_no_file_and_no_worker() {
    let tmp = fresh_dir(TMP, "race_procs-ctrl-c");
    let mut run = start_long_run(&tmp);
    let workers = run.wait_for_workers(1).unwrap_or_default();
    run.interrupt();
    let output = run.finish();
    assert!(!output.status.success() || workers.is_empty());
    assert_all_gone(&workers);
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
    let dir = fresh_dir(TMP, "race_procs-by-hand");
    let me = std::process::id().to_string();
    let args = ["--worker", &me, "--workers", "2"];
    let output = testkit::run_with_input(BIN, &args, &[0; 3], &dir);
    testkit::assert_one_line_error(&output, "not a counter");
    // The right size, but not made by this parent: no spin at the start gate.
    let output = testkit::run_with_input(BIN, &args, &[0; 20], &dir);
    testkit::assert_one_line_error(&output, "is the shared file of 0, not");
}

#[test]
fn a_full_temp_dir_is_one_line_before_any_worker() {
    let dir = fresh_dir(TMP, "race_procs-full");
    let Some(_full) = testkit::full_temp_dir(&dir) else {
        return;
    };
    let output = run_with_tmp(BIN, ARGS_SMALL, &dir);
    testkit::assert_one_line_error(&output, "No space left on device");
    assert!(texts(&output).1.contains("cannot write the shared file"));
}

#[test]
fn on_one_cpu_the_count_stays_in_bounds() {
    // The lock hands over at every release while a process waits: on one CPU
    // that must neither hang nor invent updates.
    let output = testkit::run_limited("taskset -pc 0 $$ >/dev/null", BIN, &[]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    let count: i64 = stdout.lines().next().unwrap().parse().unwrap();
    assert!((1..=1_000_000).contains(&count), "{count}");
}
