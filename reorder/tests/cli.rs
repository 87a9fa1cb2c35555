//! Runs the real `reorder` binary and checks what must always hold: never
//! that a reordering happened (one CPU, or a busy machine, may show none).
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use testkit::{assert_refused, run, texts};

const BIN: &str = env!("CARGO_BIN_EXE_reorder");

/// The four variants' (label, count, rounds): "SeqCst: 0 of 1000 rounds with ...".
fn counts(stdout: &str) -> Vec<(String, u64, u64)> {
    for line in stdout.lines().take(4) {
        assert!(line.contains(" rounds with r1 = r2 = 0, time = "), "{line}");
    }
    testkit::counts(stdout, 4)
}

/// Runs `args` (after `limits`, e.g. one CPU) and checks the bounds: every
/// count within the rounds run (all asked for, or fewer and a line saying
/// the run stopped), SeqCst's and the fence's 0, the share of rounds the threads met at
/// once, and a last line that is the lesson only beside counts that show
/// it, or else says why no round was reordered.
fn check_run(limits: &str, args: &[&str], rounds: u64) {
    let output = testkit::run_limited(limits, BIN, args);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(testkit::timelines(&stdout)[0].rows.len(), 2, "{stdout}");
    let stdout = testkit::before_timeline(&stdout);
    let lines = counts(stdout);
    let labels: Vec<&str> = lines.iter().map(|(l, _, _)| l.as_str()).collect();
    assert_eq!(labels, ["Relaxed", "Release/Acquire", "SeqCst", "Relaxed + fence"], "{stdout}");
    let run = lines[0].2;
    assert!(run <= rounds, "{stdout}");
    for (label, count, printed_rounds) in &lines {
        assert_eq!(*printed_rounds, run, "{label}: the same rounds for each ordering: {stdout}");
        assert!(*count <= run, "{label}: {stdout}");
    }
    assert_eq!(lines[2].1, 0, "SeqCst forbids r1 = r2 = 0: {stdout}");
    assert_eq!(lines[3].1, 0, "a SeqCst fence between forbids r1 = r2 = 0: {stdout}");
    let text: Vec<&str> = stdout.lines().collect();
    assert!(text[4].starts_with("The threads met at once in "), "{stdout}");
    let stopped = text[5].starts_with("Stopped after ");
    assert_eq!(stopped, run < rounds, "{stdout}");
    let last = text[if stopped { 6 } else { 5 }];
    assert_eq!(text.len(), if stopped { 7 } else { 6 }, "{stdout}");
    match lines[0].1 == 0 && lines[1].1 == 0 {
        true => assert!(last.starts_with("No round was reordered this time"), "{stdout}"),
        false => assert!(last.starts_with("A load overtook its thread's store under"), "{stdout}"),
    }
}

#[test]
fn seq_cst_never_shows_both_zero_and_no_count_exceeds_the_rounds() {
    for rounds in [1, 2, 1001, 20_000] {
        check_run("true", &["--rounds", &rounds.to_string()], rounds);
    }
}

#[test]
fn on_one_cpu_the_rounds_still_end_and_the_bounds_hold() {
    check_run("taskset -pc 0 $$ >/dev/null", &["--rounds", "20000"], 20_000);
}

#[test]
fn defaults_are_200000_rounds() {
    check_run("true", &[], 200_000);
}

#[test]
fn bad_flags_are_refused_before_any_work() {
    assert_refused(&run(BIN, &["--rounds", "0"]), "--rounds");
    assert_refused(&run(BIN, &["--rounds", "-1"]), "--rounds");
    assert_refused(&run(BIN, &["--rounds", "abc"]), "--rounds");
    assert_refused(&run(BIN, &["--rounds", "10_000_001"]), "--rounds");
    assert_refused(&run(BIN, &["--workers", "2"]), "--workers");
}

#[test]
fn a_negative_value_gets_the_same_message_as_elsewhere() {
    let output = run(BIN, &["--rounds", "-1"]);
    assert_refused(&output, "--rounds");
    let (_, stderr) = texts(&output);
    assert!(stderr.contains("': -1 is not in "), "{stderr}");
}

const BIN_ARGS: &[&str] = &["--rounds", "10"];

#[test]
fn head_ends_the_run_quietly() {
    let (first, output) = testkit::run_into_head(BIN, BIN_ARGS);
    assert!(first.starts_with("Relaxed: "));
    testkit::assert_quiet_end(&output);
}

#[test]
fn a_full_disk_is_one_line() {
    let output = testkit::run_into_full_disk(BIN, BIN_ARGS);
    testkit::assert_one_line_error(&output, "No space left on device");
}

#[test]
fn a_thread_that_cannot_start_is_one_line_and_no_hang() {
    let output = testkit::run_limited(testkit::NO_THREADS, BIN, BIN_ARGS);
    testkit::assert_one_line_error(&output, "cannot start a thread");
}

#[test]
fn every_numeric_flag_takes_the_lectures_underscores() {
    check_run("true", &["--rounds", "1_000"], 1000);
}

#[test]
fn the_timeline_has_both_threads_playing_every_ordering() {
    let (output, recorded) = testkit::run_recorded(BIN, &["--rounds", "3000"]);
    let drawn = testkit::timelines(&texts(&output).0);
    assert_eq!((drawn.len(), drawn[0].rows.len()), (1, 2));
    testkit::assert_well_recorded(&recorded);
    let run = &recorded[0];
    for worker in &run.workers {
        for ordering in 0..4 {
            let spans = run.of(worker, "computing");
            let rounds: usize =
                spans.iter().filter(|s| s.task == Some(ordering)).map(|s| s.size).sum();
            assert!(rounds <= 3000 && rounds > 0, "{worker}, ordering {ordering}: {rounds}");
        }
    }
}
