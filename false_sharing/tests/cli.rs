//! Runs the real `false_sharing` binary and checks what must always hold.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use testkit::{assert_refused, run, texts};

const BIN: &str = env!("CARGO_BIN_EXE_false_sharing");

/// The two layouts' (label, count, total): "Own cache lines: 2000 of 2000, time = ...".
fn counts(stdout: &str) -> Vec<(String, u64, u64)> {
    testkit::counts(stdout, 2)
}

/// Runs with `args` and checks both counts are exactly `total`; returns stdout.
fn exact_run(args: &[&str], total: u64) -> String {
    let output = run(BIN, args);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    let lines = counts(&stdout);
    let labels: Vec<&str> = lines.iter().map(|(l, _, _)| l.as_str()).collect();
    assert_eq!(labels, ["Next to each other", "Own cache lines"], "{stdout}");
    for (label, count, printed_total) in &lines {
        assert_eq!((*count, *printed_total), (total, total), "{label}: {stdout}");
    }
    assert!(stdout.lines().nth(2).is_some_and(|l| l.starts_with("Ratio: ")), "{stdout}");
    stdout
}

#[test]
fn nothing_is_shared_so_every_count_is_exact() {
    for (workers, iters) in [(1, 1), (2, 1000), (3, 333), (7, 50_000)] {
        let (w, i) = (workers.to_string(), iters.to_string());
        exact_run(&["--workers", &w, "--iters", &i], workers * iters);
    }
}

/// The Ratio line's figure, and whether it states the lesson.
fn ratio(stdout: &str) -> (f64, bool) {
    let line = stdout.lines().nth(2).unwrap();
    let figure = line.strip_prefix("Ratio: ").unwrap().split('x').next().unwrap();
    (figure.parse().unwrap(), line.ends_with("no value is shared, but the cache line is."))
}

#[test]
fn the_lesson_is_said_only_beside_numbers_that_show_it() {
    for workers in [2, 3] {
        let args = ["--workers", &workers.to_string(), "--iters", "300000"];
        let stdout = exact_run(&args, workers * 300_000);
        let (figure, lesson) = ratio(&stdout);
        let together = stdout.lines().nth(3).unwrap();
        assert!(together.starts_with("The threads added at the same time for "), "{stdout}");
        // The timeline comes next, after a line saying why when the lesson is not shown.
        let timeline = stdout.lines().position(|l| l.starts_with("Timeline (")).unwrap();
        if lesson {
            // Shown only from blocks in which the threads ran together.
            assert!(figure >= 1.5, "{stdout}");
            assert!(together.contains(" pairs of blocks in which they did "), "{stdout}");
            assert_eq!(timeline, 4, "no line says why: {stdout}");
        } else {
            assert_eq!(timeline, 5, "a line says why the lesson is not shown: {stdout}");
        }
    }
    let stdout = exact_run(&["--workers", "1", "--iters", "1000"], 1000);
    assert!(!ratio(&stdout).1, "{stdout}");
    assert!(stdout.lines().nth(3).unwrap().starts_with("One thread, one counter"), "{stdout}");
}

#[test]
fn on_one_cpu_it_says_the_line_never_left_its_core() {
    let output = testkit::run_limited("taskset -pc 0 $$ >/dev/null", BIN, &["--iters", "1000"]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    // One CPU: the default is one thread, so ask for two.
    assert!(stdout.contains("Ratio: ") && stdout.contains(" with 1 thread\n"), "{stdout}");
    let args = ["--workers", "2", "--iters", "300000"];
    let output = testkit::run_limited("taskset -pc 0 $$ >/dev/null", BIN, &args);
    let stdout = texts(&output).0;
    assert_eq!(counts(&stdout)[1].1, 600_000, "{stdout}");
    assert!(!ratio(&stdout).1, "{stdout}");
    assert!(
        stdout.lines().nth(4).is_some_and(|l| l.starts_with("One CPU ran every thread")),
        "{stdout}"
    );
}

#[test]
fn defaults_are_one_thread_per_cpu_and_ten_million_additions() {
    let cpus = std::thread::available_parallelism().unwrap().get() as u64;
    exact_run(&[], cpus * 10_000_000);
}

#[test]
fn bad_flags_are_refused_before_any_work() {
    assert_refused(&run(BIN, &["--workers", "0"]), "--workers");
    assert_refused(&run(BIN, &["--workers", "100000"]), "--workers");
    assert_refused(&run(BIN, &["--iters", "-1"]), "--iters");
    assert_refused(&run(BIN, &["--iters", "abc"]), "--iters");
    assert_refused(&run(BIN, &["--iters", "0"]), "--iters");
    assert_refused(&run(BIN, &["--iters", "1_000_000_001"]), "--iters");
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
    let (first, output) = testkit::run_into_head(BIN, BIN_ARGS);
    assert!(first.starts_with("Next to each other: "));
    testkit::assert_quiet_end(&output);
}

#[test]
fn a_full_disk_is_one_line() {
    let output = testkit::run_into_full_disk(BIN, BIN_ARGS);
    testkit::assert_one_line_error(&output, "No space left on device");
}

#[test]
fn a_thread_that_cannot_start_is_one_line_and_no_hang() {
    let output = testkit::run_limited(testkit::NO_THREADS, BIN, &["--workers", "4"]);
    testkit::assert_one_line_error(&output, "cannot start a thread");
}

#[test]
fn every_numeric_flag_takes_the_lectures_underscores() {
    exact_run(&["--workers", "0_2", "--iters", "1_000"], 2000);
}

#[test]
fn the_timeline_has_a_row_per_thread_and_each_added_all_its_share() {
    let (output, recorded) = testkit::run_recorded(BIN, &["--workers", "3", "--iters", "50000"]);
    let drawn = testkit::timelines(&texts(&output).0);
    assert_eq!((drawn.len(), drawn[0].rows.len()), (1, 3));
    testkit::assert_well_recorded(&recorded);
    let run = &recorded[0];
    for worker in &run.workers {
        // Each layout: 50000 additions each.
        let added: usize = run.of(worker, "computing").iter().map(|s| s.size).sum();
        assert_eq!(added, 100_000, "{worker}");
    }
}
