//! The exercise's tests (`cargo xtask export vec_add DIR --exercise`): each
//! names the function it judges, and passes once that function is right.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use testkit::{assert_workers_at_once, assert_written, run_answer, texts, value};

const BIN: &str = env!("CARGO_BIN_EXE_vec_add");

/// The sum of the array the program draws for `seed`, computed here on its own.
fn expected_sum(n: usize, seed: u64) -> String {
    let mut rng = SmallRng::seed_from_u64(seed);
    (0..n).map(|_| rng.random_range(1_i64..100)).sum::<i64>().to_string()
}

/// The parallel sum of a run of the lesson with `args`.
fn parallel_sum(args: &[&str], function: &str) -> String {
    let output = run_answer(BIN, args, function);
    assert_written(&output, function);
    value(&texts(&output).0, "Parallel sum: ").to_string()
}

#[test]
fn sum_in_processes_sums_every_chunk_in_worker_processes() {
    for workers in ["1", "3", "7"] {
        let args = ["--n", "1000003", "--workers", workers, "--seed", "5"];
        assert_eq!(
            parallel_sum(&args, "sum_in_processes"),
            expected_sum(1_000_003, 5),
            "sum_in_processes"
        );
    }
    // All at once, not started and waited for one by one.
    assert_workers_at_once(BIN, &["--n", "20000000", "--workers", "3"], 3, "sum_in_processes");
}

#[test]
fn sum_in_threads_sums_every_chunk_in_threads() {
    for workers in ["1", "3", "7"] {
        let args = ["--n", "1000003", "--workers", workers, "--seed", "5", "--threads"];
        assert_eq!(
            parallel_sum(&args, "sum_in_threads"),
            expected_sum(1_000_003, 5),
            "sum_in_threads"
        );
    }
}
