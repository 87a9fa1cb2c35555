//! The exercise's tests (`cargo xtask export vec_add DIR --exercise`): each
//! names the function it judges, and passes once that function is right:
//! the sum exact, and the work done by the workers, each element once and
//! at the same time, as the workers' own record of it (the timeline) says.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use testkit::{Expect, assert_written, judge_run, run_answer, texts, value};

const BIN: &str = env!("CARGO_BIN_EXE_vec_add");

/// The sum of the array the program draws for `seed`, computed here on its own.
fn expected_sum(n: usize, seed: u64) -> String {
    let mut rng = SmallRng::seed_from_u64(seed);
    (0..n).map(|_| rng.random_range(1_i64..100)).sum::<i64>().to_string()
}

/// Asserts that runs with 1, 3 and 7 workers (`mode` the rest of the flags)
/// print the exact parallel sum.
fn assert_sums(mode: &[&str], function: &str) {
    for workers in ["1", "3", "7"] {
        let args = [&["--n", "1000003", "--workers", workers, "--seed", "5"][..], mode].concat();
        let output = run_answer(BIN, &args, function);
        assert_written(&output, function);
        let sum = value(&texts(&output).0, "Parallel sum: ").to_string();
        assert_eq!(sum, expected_sum(1_000_003, 5), "{function}: {args:?}");
    }
}

#[test]
fn sum_in_processes_sums_every_chunk_in_worker_processes_at_once() {
    assert_sums(&[], "sum_in_processes");
    // Three worker processes, every element summed once, by them, while
    // taking their chunks at the same time.
    let working = ["input", "computing"];
    let expect =
        Expect { size: Some(20_000_000), working: &working, ..Expect::new("sum_in_processes", 3) };
    let args = ["--n", "20000000", "--workers", "3"];
    judge_run(BIN, &args, &expect);
}

#[test]
fn sum_in_threads_sums_every_chunk_in_threads_at_once() {
    assert_sums(&["--threads"], "sum_in_threads");
    let expect = Expect { size: Some(50_000_000), ..Expect::new("sum_in_threads", 3) };
    let args = ["--n", "50000000", "--workers", "3", "--threads"];
    judge_run(BIN, &args, &expect);
}
