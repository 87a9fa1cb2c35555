//! Runs the real `heavy_sum` binary with small inputs and checks its sums.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use std::time::Duration;

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

use testkit::{assert_all_gone, assert_refused, assert_worker_failed, run, texts, value};

const BIN: &str = env!("CARGO_BIN_EXE_heavy_sum");

/// The heavy sum of the array the program draws for `seed`, added up here on
/// its own in the same order as the sequential loop.
fn expected_sum(n: usize, seed: u64) -> f64 {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut s = 0.0;
    for _ in 0..n {
        let x: f64 = rng.random();
        s += x * x + x.sin();
    }
    s
}

#[test]
fn parallel_sums_match_within_reassociation_for_any_worker_count() {
    for (n, workers) in [(1, 1), (10, 3), (1000, 7), (3, 5), (100_003, 4)] {
        for mode in [&[][..], &["--threads"][..]] {
            let (n_arg, w_arg) = (n.to_string(), workers.to_string());
            let mut args = vec!["--n", &n_arg, "--workers", &w_arg, "--seed", "9"];
            args.extend_from_slice(mode);
            let output = run(BIN, &args);
            let (stdout, stderr) = texts(&output);
            assert!(output.status.success(), "{args:?}: {stderr}");

            let expected = expected_sum(n, 9);
            let seq: f64 = value(&stdout, "Sequential sum: ").parse().unwrap();
            let par: f64 = value(&stdout, "Parallel sum: ").parse().unwrap();
            // Printed with two decimals, as in the Python.
            assert!((seq - expected).abs() <= 0.005, "{seq} vs {expected}");
            assert!((par - expected).abs() <= 0.005 + 1e-9, "{par} vs {expected}");
            // The exact difference: all terms are >= 0, so it is at most
            // 2 * n * EPSILON * sum.
            let difference: f64 =
                value(&stdout, "Difference: ").split(' ').next().unwrap().parse().unwrap();
            assert!(difference <= 2.0 * n as f64 * f64::EPSILON * expected * 1.05, "{difference}");
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
fn prints_the_lectures_lines_with_two_decimals() {
    let output = run(BIN, &["--n", "1000", "--seed", "1"]);
    let stdout = texts(&output).0;
    let first = stdout.lines().next().unwrap();
    let sum = value(&stdout, "Sequential sum: ");
    assert_eq!(sum.split('.').nth(1).map(str::len), Some(2), "{first}");
    assert!(first.starts_with("Sequential sum: ") && first.ends_with(" s"), "{first}");
    assert!(stdout.lines().nth(2).unwrap().starts_with("Speedup: "));
}

#[test]
fn bad_flags_are_refused_before_any_work() {
    assert_refused(&run(BIN, &["--workers", "0"]), "--workers");
    assert_refused(&run(BIN, &["--workers", "100000"]), "--workers");
    assert_refused(&run(BIN, &["--n", "-1"]), "--n");
    assert_refused(&run(BIN, &["--n", "abc"]), "--n");
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
    // From the first instructions to the middle of the parallel phase (it
    // starts after about 55 ms, the run ends after about 90).
    let args = &["--n", "5000000", "--workers", "4"];
    testkit::assert_no_worker_outlives_its_parent(
        BIN,
        args,
        &[0, 1, 2, 4, 8, 16, 32, 50, 60, 70, 80],
    );
}

#[test]
fn a_thread_that_cannot_start_is_one_line() {
    let args = ["--n", "1000", "--workers", "4", "--threads"];
    let output = testkit::run_limited(testkit::NO_THREADS, BIN, &args);
    testkit::assert_one_line_error(&output, "cannot start a thread");
}

#[test]
fn the_timeline_shows_each_worker_summing_its_chunk() {
    for mode in [&[][..], &["--threads"][..]] {
        let args = [&["--n", "100003", "--workers", "3"][..], mode].concat();
        let (output, recorded) = testkit::run_recorded(BIN, &args);
        let drawn = testkit::timelines(&texts(&output).0);
        assert_eq!((drawn.len(), drawn[0].rows.len()), (1, 3));
        testkit::assert_well_recorded(&recorded);
        let computing = recorded[0].spans.iter().filter(|s| s.doing == "computing");
        assert_eq!(computing.map(|s| s.size).sum::<usize>(), 100_003, "{:?}", recorded[0]);
    }
}
