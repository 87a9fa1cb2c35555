//! Runs the real `vec_add_shm` binary and checks its sums and that no run,
//! however it ends, leaves a file behind.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use testkit::{
    assert_all_gone, assert_refused, assert_worker_failed, entries, fresh_dir, run, run_with_tmp,
    texts, value,
};

const BIN: &str = env!("CARGO_BIN_EXE_vec_add_shm");
const TMP: &str = env!("CARGO_TARGET_TMPDIR");

/// The sum of the array the program draws for `seed`, computed here on its own.
fn expected_sum(n: usize, seed: u64) -> i64 {
    let mut rng = SmallRng::seed_from_u64(seed);
    (0..n).map(|_| rng.random_range(1_i64..100)).sum()
}

#[test]
fn every_element_is_summed_for_any_worker_count() {
    let tmp = fresh_dir(TMP, "vec_add_shm-sums");
    for (n, workers) in [(1, 1), (10, 3), (1000, 7), (3, 5), (100_003, 4)] {
        let (n_arg, w_arg) = (n.to_string(), workers.to_string());
        let args = ["--n", &n_arg, "--workers", &w_arg, "--seed", "42"];
        let output = run_with_tmp(BIN, &args, &tmp);
        let (stdout, stderr) = texts(&output);
        assert!(output.status.success(), "{args:?}: {stderr}");
        let expected = expected_sum(n, 42).to_string();
        assert_eq!(value(&stdout, "Sequential sum: "), expected, "{args:?}");
        assert_eq!(value(&stdout, "Parallel sum: "), expected, "{args:?}");
        let kind = if workers == 1 { "process" } else { "processes" };
        let stdout = testkit::before_timeline(&stdout);
        assert!(stdout.ends_with(&format!("x with {workers} {kind}\n")), "{stdout}");
        assert_eq!(entries(&tmp), Vec::<String>::new(), "left behind by {args:?}");
    }
}

#[test]
fn the_shared_file_can_live_elsewhere_and_is_never_left_there() {
    let dir = fresh_dir(TMP, "vec_add_shm-dir");
    let dir_arg = dir.to_str().unwrap();
    let output = run(BIN, &["--n", "5000", "--seed", "3", "--shm-dir", dir_arg]);
    assert!(output.status.success(), "{:?}", texts(&output).1);
    assert_eq!(value(&texts(&output).0, "Parallel sum: "), expected_sum(5000, 3).to_string());
    assert_eq!(entries(&dir), Vec::<String>::new());

    // A folder that does not exist is refused before any work.
    let output = run(BIN, &["--n", "10", "--shm-dir", "/no/such/folder"]);
    assert_refused(&output, "is not a folder");
}

#[test]
fn bad_flags_are_refused_before_any_work() {
    assert_refused(&run(BIN, &["--workers", "0"]), "--workers");
    assert_refused(&run(BIN, &["--workers", "100000"]), "--workers");
    assert_refused(&run(BIN, &["--n", "-1"]), "--n");
    assert_refused(&run(BIN, &["--n", "abc"]), "--n");
    assert_refused(&run(BIN, &["--n", "0"]), "--n");
    // A worker's own flag, without --worker, is refused, not ignored.
    assert_refused(&run(BIN, &["--range", "1", "2"]), "--worker");
}

/// Starts a run whose one worker sums 400 MB (tens of ms), long enough to be
/// caught running.
/// Two workers on 50M numbers.
const LONG: &[&str] = &["--n", "50000000", "--workers", "2"];

#[test]
fn a_killed_worker_ends_the_run_with_a_clear_error_and_no_leftovers() {
    let tmp = fresh_dir(TMP, "vec_add_shm-kill");
    let (run, workers) = testkit::start_caught(BIN, LONG, &[("TMPDIR", &tmp)], 1);
    testkit::kill(workers[0]);
    assert_worker_failed(&run.finish(), "SIGKILL");
    assert_all_gone(&workers);
    assert_eq!(entries(&tmp), Vec::<String>::new());
}

#[test]
fn ctrl_c_leaves_no_file_and_no_worker() {
    let tmp = fresh_dir(TMP, "vec_add_shm-ctrl-c");
    let (run, workers) = testkit::start_caught(BIN, LONG, &[("TMPDIR", &tmp)], 1);
    run.interrupt();
    testkit::resume(workers[0]); // a stopped worker takes its SIGINT as it goes on
    assert!(!run.finish().status.success());
    assert_all_gone(&workers);
    assert_eq!(entries(&tmp), Vec::<String>::new());
}

#[test]
fn a_stopped_worker_goes_with_its_killed_parent_and_leaves_no_file() {
    let tmp = fresh_dir(TMP, "vec_add_shm-stopped");
    let (run, _) = testkit::start_caught(BIN, LONG, &[("TMPDIR", &tmp)], 1);
    assert_eq!(run.kill_parent(), "", "the workers said something");
    assert_eq!(entries(&tmp), Vec::<String>::new());
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
    // run ends after about 130 ms).
    let args = &["--n", "20000000", "--workers", "4"];
    testkit::assert_no_worker_outlives_its_parent(
        BIN,
        args,
        &[0, 1, 2, 4, 8, 16, 32, 64, 90, 100, 110, 120],
    );
}

#[test]
fn a_worker_started_by_hand_on_a_short_file_says_so() {
    let dir = fresh_dir(TMP, "vec_add_shm-by-hand");
    let me = std::process::id().to_string();
    let args = ["--worker", &me, "--range", "0", "1"];
    let output = testkit::run_with_input(BIN, &args, &[1; 7], &dir);
    testkit::assert_one_line_error(&output, "not an array of i64");
    let output = testkit::run_with_input(BIN, &args, &[0; 8], &dir);
    // One i64 of 0 sums to 0; after a tab, the record of what it did.
    assert!(texts(&output).0.starts_with("0\t@"), "{output:?}");
    let args = ["--worker", &me, "--range", "0", "2"];
    let output = testkit::run_with_input(BIN, &args, &[0; 8], &dir);
    testkit::assert_one_line_error(&output, "outside the 1 numbers");
}

#[test]
fn the_timeline_shows_each_worker_summing_its_range() {
    let (output, recorded) = testkit::run_recorded(BIN, &["--n", "1000003", "--workers", "3"]);
    let drawn = testkit::timelines(&texts(&output).0);
    assert_eq!((drawn.len(), drawn[0].rows.len()), (1, 3));
    testkit::assert_well_recorded(&recorded);
    let run = &recorded[0];
    for worker in &run.workers {
        assert_eq!(run.of(worker, "starting").len(), 1, "{run:?}");
    }
    let computing = run.spans.iter().filter(|s| s.doing == "computing");
    assert_eq!(computing.map(|s| s.size).sum::<usize>(), 1_000_003, "{run:?}");
}
