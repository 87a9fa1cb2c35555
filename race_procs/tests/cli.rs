//! Runs the real `race_procs` binary and checks what must always hold: a
//! racy count never exceeds the total, and nothing is left behind.

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
