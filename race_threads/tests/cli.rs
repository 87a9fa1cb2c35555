//! Runs the real `race_threads` binary and checks what must always hold.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use testkit::{assert_refused, run, texts};

const BIN: &str = env!("CARGO_BIN_EXE_race_threads");

/// The three counts' (label, count, total): "fetch_add: 1000 of 1000, time = ...".
fn counts(stdout: &str) -> Vec<(String, u64, u64)> {
    testkit::counts(stdout, 3)
}

#[test]
fn the_fixes_are_exact_and_the_race_stays_in_bounds() {
    for (workers, iters) in [(1, 1), (2, 1000), (10, 5000), (7, 33)] {
        let (w, i) = (workers.to_string(), iters.to_string());
        let output = run(BIN, &["--workers", &w, "--iters", &i]);
        let (stdout, stderr) = texts(&output);
        assert!(output.status.success(), "{stderr}");
        // The race's timeline follows: a row for each thread.
        assert_eq!(testkit::timelines(&stdout)[0].rows.len(), usize::try_from(workers).unwrap());
        let stdout = testkit::before_timeline(&stdout);
        let total = workers * iters;
        let lines = counts(stdout);
        let labels: Vec<&str> = lines.iter().map(|(l, _, _)| l.as_str()).collect();
        assert_eq!(labels, ["load then store", "fetch_add", "Mutex"]);
        // With more than one thread, a line says how much they overlapped.
        let text: Vec<&str> = stdout.lines().collect();
        let overlap = text.get(3).is_some_and(|l| l.starts_with("The racing threads counted at"));
        assert_eq!(overlap, workers > 1, "{stdout}");
        // A run that lost nothing says why, in one more line; one that lost some does not.
        let said_why = text.get(4).is_some_and(|l| l.starts_with("No update was lost"));
        assert_eq!(said_why, lines[0].1 == total && workers > 1, "{stdout}");
        assert!(text.len() <= 5, "{stdout}");
        for (label, count, printed_total) in &lines {
            assert_eq!(*printed_total, total, "{label}");
            if label == "load then store" {
                // Updates may be lost, but never invented, and the first stays.
                assert!((1..=total).contains(count), "{count} of {total}");
            } else {
                assert_eq!(*count, total, "{label}");
            }
        }
    }
}

#[test]
fn defaults_are_the_lectures_ten_threads_of_100000() {
    let output = run(BIN, &[]);
    let stdout = texts(&output).0;
    assert!(counts(&stdout).iter().all(|(_, _, total)| *total == 1_000_000), "{stdout}");
}

#[test]
fn bad_flags_are_refused_before_any_work() {
    assert_refused(&run(BIN, &["--workers", "0"]), "--workers");
    assert_refused(&run(BIN, &["--workers", "100000"]), "--workers");
    assert_refused(&run(BIN, &["--iters", "-1"]), "--iters");
    assert_refused(&run(BIN, &["--iters", "abc"]), "--iters");
    assert_refused(&run(BIN, &["--iters", "0"]), "--iters");
}

#[test]
fn a_negative_value_gets_the_same_message_on_every_flag() {
    for flag in ["--workers", "--iters"] {
        let output = run(BIN, &[flag, "-1"]);
        assert_refused(&output, flag);
        let (_, stderr) = texts(&output);
        assert!(stderr.contains("': -1 is not in "), "{flag}: {stderr}");
    }
}

const BIN_ARGS: &[&str] = &["--workers", "2", "--iters", "10"];

#[test]
fn head_ends_the_run_quietly() {
    let (first, output) = testkit::run_into_head(env!("CARGO_BIN_EXE_race_threads"), BIN_ARGS);
    assert!(first.starts_with("load then store: "));
    testkit::assert_quiet_end(&output);
}

#[test]
fn a_full_disk_is_one_line() {
    let output = testkit::run_into_full_disk(env!("CARGO_BIN_EXE_race_threads"), BIN_ARGS);
    testkit::assert_one_line_error(&output, "No space left on device");
}

#[test]
fn a_thread_that_cannot_start_is_one_line_and_no_hang() {
    let bin = env!("CARGO_BIN_EXE_race_threads");
    let output = testkit::run_limited(testkit::NO_THREADS, bin, &["--workers", "4"]);
    testkit::assert_one_line_error(&output, "cannot start a thread");
}

#[test]
fn every_numeric_flag_takes_the_lectures_underscores() {
    let output = run(BIN, &["--workers", "0_2", "--iters", "1_000"]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(counts(&stdout)[1], ("fetch_add".to_string(), 2000, 2000));
    // Only between digits, as Python's int() takes them.
    for misplaced in ["1__000", "_1000", "1000_"] {
        assert_refused(&run(BIN, &["--iters", misplaced]), "invalid digit found in string");
    }
}

#[test]
fn the_timeline_of_the_race_has_a_row_per_thread_and_each_counted_all_its_share() {
    let (output, recorded) = testkit::run_recorded(BIN, &["--workers", "4", "--iters", "20000"]);
    let drawn = testkit::timelines(&texts(&output).0);
    assert_eq!((drawn.len(), drawn[0].rows.len()), (1, 4));
    testkit::assert_well_recorded(&recorded);
    let race = &recorded[0];
    assert!(race.title.starts_with("load then store"), "{race:?}");
    for worker in &race.workers {
        let counted: usize = race.of(worker, "computing").iter().map(|s| s.size).sum();
        assert_eq!(counted, 20_000, "{worker}");
    }
}
