//! Runs the real `race_procs` binary and checks what must always hold: a
//! racy count never exceeds the total, and nothing is left behind.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use std::time::Duration;

use testkit::{
    assert_all_gone, assert_refused, assert_worker_failed, entries, fresh_dir, run, run_with_tmp,
    texts,
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
        assert_eq!(testkit::timelines(&stdout)[0].rows.len(), usize::try_from(workers).unwrap());
        let stdout = testkit::before_timeline(&stdout);
        let lines: Vec<&str> = stdout.lines().collect();
        let count: i64 = lines[0].parse().expect("the first line is the count");
        let total = workers * iters;
        // Updates may be lost, but never invented; the last store is at least 1.
        assert!((1..=total).contains(&count), "{count} of {total}");
        if workers == 1 {
            assert_eq!(count, total, "one process alone loses nothing");
        }
        assert_eq!(lines[1], format!("lost {} of {total} updates", total - count));
        // With several processes, how much they counted at once; a run that
        // lost nothing says why, and only such a run.
        let together = lines.get(2).is_some_and(|l| l.starts_with("The processes counted at"));
        assert_eq!(together, workers > 1, "{stdout}");
        let said_why = lines.get(3).is_some_and(|l| l.starts_with("No update was lost"));
        assert_eq!(said_why, workers > 1 && count == total, "{stdout}");
        assert!(lines.len() <= 4, "{stdout}");
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

/// Four workers, 8 million increments each.
const LONG: &[&str] = &["--workers", "4", "--iters", "8000000"];

#[test]
fn a_killed_worker_ends_the_run_with_a_clear_error_and_no_leftovers() {
    let tmp = fresh_dir(TMP, "race_procs-kill");
    let (run, workers) = testkit::start_caught(BIN, LONG, &[("TMPDIR", &tmp)], 1);
    testkit::kill(workers[0]);
    assert_worker_failed(&run.finish(), "SIGKILL");
    assert_all_gone(&workers);
    assert_eq!(entries(&tmp), Vec::<String>::new());
}

#[test]
fn a_stopped_worker_does_not_hide_a_dead_one() {
    let tmp = fresh_dir(TMP, "race_procs-stopped-and-dead");
    let (run, workers) = testkit::start_caught(BIN, LONG, &[("TMPDIR", &tmp)], 2);
    testkit::kill(workers[1]); // the first stays stopped
    let output = run.finish_within(Duration::from_secs(10));
    assert_worker_failed(&output, "SIGKILL");
    assert_all_gone(&workers);
}

#[test]
fn ctrl_c_leaves_no_file_and_no_worker() {
    let tmp = fresh_dir(TMP, "race_procs-ctrl-c");
    let (run, workers) = testkit::start_caught(BIN, LONG, &[("TMPDIR", &tmp)], 1);
    run.interrupt();
    testkit::resume(workers[0]); // a stopped worker takes its SIGINT as it goes on
    assert!(!run.finish().status.success());
    assert_all_gone(&workers);
    assert_eq!(entries(&tmp), Vec::<String>::new());
}

#[test]
fn a_stopped_worker_goes_with_its_killed_parent_and_leaves_no_file() {
    let tmp = fresh_dir(TMP, "race_procs-stopped");
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
    let dir = fresh_dir(TMP, "race_procs-by-hand");
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
    let dir = fresh_dir(TMP, "race_procs-full");
    let Some(_full) = testkit::full_temp_dir(&dir) else {
        return;
    };
    let output = run_with_tmp(BIN, ARGS_SMALL, &dir);
    testkit::assert_one_line_error(&output, "No space left on device");
    assert!(texts(&output).1.contains("cannot write the shared file"));
}

#[test]
fn on_one_cpu_the_processes_do_not_take_turns_at_every_get_and_set() {
    // A release that handed the CPU to a waiting process made them take turns
    // between every get and set: each set then undid all the others', and
    // the count was exactly one worker's share. Now a process runs on after
    // its get, and only a switch that lands in the nanoseconds before its
    // set (a few in a million) loses anything on one CPU.
    let output = testkit::run_limited("taskset -pc 0 $$ >/dev/null", BIN, &[]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    let count: i64 = stdout.lines().next().unwrap().parse().unwrap();
    assert!(count > 100_000, "{count}: one worker's share");
}

#[test]
fn on_one_cpu_the_count_stays_in_bounds() {
    let output = testkit::run_limited("taskset -pc 0 $$ >/dev/null", BIN, &[]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    let count: i64 = stdout.lines().next().unwrap().parse().unwrap();
    assert!((1..=1_000_000).contains(&count), "{count}");
}

#[test]
fn every_numeric_flag_takes_the_lectures_underscores() {
    let output = run(BIN, &["--workers", "1", "--iters", "1_000"]);
    assert_eq!(texts(&output).0.lines().next(), Some("1000"));
}

#[test]
fn the_timeline_has_a_row_per_process_and_each_counted_all_its_share() {
    let (output, recorded) = testkit::run_recorded(BIN, &["--workers", "3", "--iters", "20000"]);
    let drawn = testkit::timelines(&texts(&output).0);
    assert_eq!((drawn.len(), drawn[0].rows.len()), (1, 3));
    testkit::assert_well_recorded(&recorded);
    let run = &recorded[0];
    for worker in &run.workers {
        assert_eq!(run.of(worker, "starting").len(), 1, "{worker}");
        let counted: usize = run.of(worker, "computing").iter().map(|s| s.size).sum();
        assert_eq!(counted, 20_000, "{worker}");
    }
}
