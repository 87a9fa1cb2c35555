//! Runs the real `vec_add` binary with small inputs and checks what it prints.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use std::time::Duration;

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

use testkit::{
    assert_all_gone, assert_refused, assert_worker_failed, entries, fresh_dir, run, texts, value,
};

const BIN: &str = env!("CARGO_BIN_EXE_vec_add");
const TMP: &str = env!("CARGO_TARGET_TMPDIR");

/// The sum of the array the program draws for `seed`, computed here on its own.
fn expected_sum(n: usize, seed: u64) -> i64 {
    let mut rng = SmallRng::seed_from_u64(seed);
    (0..n).map(|_| rng.random_range(1_i64..100)).sum()
}

fn sums(args: &[&str]) -> (i64, i64, String) {
    let output = run(BIN, args);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{args:?} failed: {stderr}");
    let seq = value(&stdout, "Sequential sum: ").parse().expect("a sum");
    let par = value(&stdout, "Parallel sum: ").parse().expect("a sum");
    (seq, par, testkit::before_timeline(&stdout).to_string())
}

#[test]
fn every_element_is_summed_for_any_worker_count() {
    // N not divisible by the workers, more workers than elements, one element.
    for (n, workers) in [(1, 1), (10, 3), (1000, 7), (3, 5), (100_003, 4)] {
        for mode in [&[][..], &["--threads"][..]] {
            let (n_arg, w_arg) = (n.to_string(), workers.to_string());
            let mut args = vec!["--n", &n_arg, "--workers", &w_arg, "--seed", "42"];
            args.extend_from_slice(mode);
            let (seq, par, stdout) = sums(&args);
            let expected = expected_sum(n, 42);
            assert_eq!(seq, expected, "{args:?}");
            assert_eq!(par, expected, "{args:?}");
            let kind = match (mode.is_empty(), workers) {
                (true, 1) => "process",
                (true, _) => "processes",
                (false, 1) => "thread",
                (false, _) => "threads",
            };
            assert!(stdout.contains(&format!("x with {workers} {kind}\n")), "{stdout}");
        }
    }
}

#[test]
fn prints_the_lectures_lines_in_order() {
    let (_, _, stdout) = sums(&["--n", "1000", "--workers", "2"]);
    let starts: Vec<&str> = stdout.lines().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(starts, ["Sequential sum", "CPUs", "Parallel sum", "Speedup"]);
    assert!(value(&stdout, "CPUs: ").parse::<usize>().unwrap() >= 1);
    assert!(stdout.lines().next().unwrap().ends_with(" s"));
}

#[test]
fn the_seed_makes_the_array_reproducible() {
    let (a, _, _) = sums(&["--n", "5000", "--seed", "7"]);
    let (b, _, _) = sums(&["--n", "5000", "--seed", "7", "--threads"]);
    assert_eq!(a, b);
    assert_eq!(a, expected_sum(5000, 7));
}

#[test]
fn bad_flags_are_refused_before_any_work() {
    assert_refused(&run(BIN, &["--workers", "0"]), "--workers");
    assert_refused(&run(BIN, &["--workers", "100000"]), "--workers");
    assert_refused(&run(BIN, &["--n", "-1"]), "--n");
    assert_refused(&run(BIN, &["--n", "abc"]), "--n");
    assert_refused(&run(BIN, &["--n", "0"]), "--n");
    assert_refused(&run(BIN, &["--seed", "x"]), "--seed");
}

#[test]
fn a_negative_value_gets_the_same_message_on_every_flag() {
    for flag in ["--n", "--workers", "--seed"] {
        let output = run(BIN, &[flag, "-1"]);
        assert_refused(&output, flag);
        let (_, stderr) = texts(&output);
        assert!(stderr.contains("': -1 is not in "), "{flag}: {stderr}");
    }
}

/// 20M numbers: each worker is sent 80 MB, far more than a pipe holds.
const LONG: &[&str] = &["--n", "20000000", "--workers", "2"];

#[test]
fn a_killed_worker_ends_the_run_with_a_clear_error() {
    let (run, workers) = testkit::start_caught(BIN, LONG, &[], 1);
    testkit::kill(workers[0]);
    assert_worker_failed(&run.finish(), "SIGKILL");
}

#[test]
fn a_stopped_worker_does_not_hide_a_dead_one() {
    let (run, workers) = testkit::start_caught(BIN, LONG, &[], 2);
    // The first stays stopped, its pipe full: the parent hears of the second.
    testkit::kill(workers[1]);
    let output = run.finish_within(Duration::from_secs(10));
    assert_worker_failed(&output, "SIGKILL");
    assert_all_gone(&workers);
}

#[test]
fn ctrl_c_stops_the_parent_and_every_worker() {
    let (run, workers) = testkit::start_caught(BIN, LONG, &[], 1);
    run.interrupt();
    testkit::resume(workers[0]); // a stopped worker takes its SIGINT as it goes on
    assert!(!run.finish().status.success());
    assert_all_gone(&workers);
}

#[test]
fn a_stopped_worker_goes_with_its_killed_parent() {
    let (run, _) = testkit::start_caught(BIN, LONG, &[], 1);
    assert_eq!(run.kill_parent(), "", "the workers said something");
}

const ARGS_SMALL: &[&str] = &["--n", "1000", "--workers", "2"];

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
    // From the first instructions to the middle of the parallel phase (the
    // array is drawn in about 80 ms, the run ends after about 120).
    let args = &["--n", "20000000", "--workers", "4"];
    testkit::assert_no_worker_outlives_its_parent(
        BIN,
        args,
        &[0, 1, 2, 4, 8, 16, 32, 64, 80, 90, 100, 110],
    );
}

#[test]
fn a_thread_that_cannot_start_is_one_line() {
    let args = ["--n", "1000", "--workers", "4", "--threads"];
    let output = testkit::run_limited(testkit::NO_THREADS, BIN, &args);
    testkit::assert_one_line_error(&output, "cannot start a thread");
}

#[test]
fn a_size_beyond_reason_is_refused_before_any_work() {
    assert_refused(&run(BIN, &["--n", "1000000000000"]), "--n");
}

#[test]
fn the_lectures_underscores_are_accepted() {
    let (seq, par, _) = sums(&["--n", "1_000", "--seed", "5"]);
    assert_eq!((seq, par), (expected_sum(1000, 5), expected_sum(1000, 5)));
}

#[test]
fn the_timeline_shows_each_worker_taking_its_chunk_and_summing_it() {
    for mode in [&[][..], &["--threads"][..]] {
        let args = [&["--n", "1000003", "--workers", "3"][..], mode].concat();
        let (output, recorded) = testkit::run_recorded(BIN, &args);
        let stdout = texts(&output).0;
        let drawn = testkit::timelines(&stdout);
        assert_eq!((drawn.len(), drawn[0].rows.len()), (1, 3), "one row per worker: {stdout}");
        testkit::assert_well_recorded(&recorded);
        let run = &recorded[0];
        assert_eq!(run.workers.len(), 3, "{run:?}");
        // Every element was summed once, by the workers (the parent has no row).
        let summed: usize =
            run.spans.iter().filter(|s| s.doing == "computing").map(|s| s.size).sum();
        assert_eq!(summed, 1_000_003, "{run:?}");
        if mode.is_empty() {
            for worker in &run.workers {
                assert!(
                    !run.of(worker, "starting").is_empty() && !run.of(worker, "input").is_empty()
                );
            }
        }
    }
}

#[test]
fn the_timeline_is_drawn_into_an_svg_file_only_when_asked() {
    let dir = fresh_dir(TMP, "vec_add-svg");
    let svg = dir.join("run.svg");
    let output = run(BIN, &["--n", "1000", "--workers", "2", "--timeline", svg.to_str().unwrap()]);
    assert!(output.status.success(), "{}", texts(&output).1);
    let picture = std::fs::read_to_string(&svg).unwrap();
    assert!(picture.starts_with("<svg") && picture.contains("worker 1"), "{picture}");
    assert_eq!(entries(&dir), ["run.svg"], "no half file beside it");
    // A folder that is not there: one line, and nothing written.
    let missing = dir.join("nowhere").join("run.svg");
    let output = run(BIN, &["--n", "1000", "--timeline", missing.to_str().unwrap()]);
    testkit::assert_one_line_error(&output, "cannot write ");
    assert_eq!(entries(&dir), ["run.svg"]);
}
