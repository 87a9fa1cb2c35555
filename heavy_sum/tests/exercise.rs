//! The exercise's tests (`cargo xtask export heavy_sum DIR --exercise`):
//! each names the function it judges, and passes once that function is
//! right: the sum right, and the work done by the workers, each element once
//! and at the same time, as the workers' own record of it (the timeline) says.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use testkit::{Expect, assert_written, judge_run, run_answer, texts, value};

const BIN: &str = env!("CARGO_BIN_EXE_heavy_sum");

/// The heavy sum of the array the program draws for `seed`, added up here.
fn expected_sum(n: usize, seed: u64) -> f64 {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut s = 0.0;
    for _ in 0..n {
        let x: f64 = rng.random();
        s += x * x + x.sin();
    }
    s
}

/// Asserts that runs with 1, 3 and 7 workers (`mode` the rest of the flags)
/// print a parallel sum as close to the right one as adding in another
/// order allows (and the two decimals).
fn assert_sums(mode: &[&str], function: &str) {
    for workers in ["1", "3", "7"] {
        let args = [&["--n", "100003", "--workers", workers, "--seed", "9"][..], mode].concat();
        let output = run_answer(BIN, &args, function);
        assert_written(&output, function);
        let par: f64 = value(&texts(&output).0, "Parallel sum: ").parse().unwrap();
        let expected = expected_sum(100_003, 9);
        assert!((par - expected).abs() <= 0.005 + 1e-9, "{function}: {par} is not {expected:.2}");
    }
}

#[test]
fn sum_in_processes_sums_every_chunk_in_worker_processes_at_once() {
    assert_sums(&[], "sum_in_processes");
    let working = ["input", "computing"];
    let expect =
        Expect { size: Some(5_000_000), working: &working, ..Expect::new("sum_in_processes", 3) };
    let args = ["--n", "5000000", "--workers", "3"];
    judge_run(BIN, &args, &expect);
}

#[test]
fn sum_in_threads_sums_every_chunk_in_threads_at_once() {
    assert_sums(&["--threads"], "sum_in_threads");
    let expect = Expect { size: Some(20_000_000), ..Expect::new("sum_in_threads", 3) };
    let args = ["--n", "20000000", "--workers", "3", "--threads"];
    judge_run(BIN, &args, &expect);
}
