//! The exercise's tests (`cargo xtask export vec_add_shm DIR --exercise`):
//! each names the function it judges, and passes once that function is
//! right: the sum exact, and the work done by the workers, each element
//! once and at the same time, as the workers' own record of it (the
//! timeline) says.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use testkit::{Expect, assert_written, judge_run, run_answer, texts, value};

const BIN: &str = env!("CARGO_BIN_EXE_vec_add_shm");

/// The sum of the array the program draws for `seed`, computed here on its own.
fn expected_sum(n: usize, seed: u64) -> String {
    let mut rng = SmallRng::seed_from_u64(seed);
    (0..n).map(|_| rng.random_range(1_i64..100)).sum::<i64>().to_string()
}

#[test]
fn sum_in_processes_sums_every_range_in_worker_processes_at_once() {
    for workers in ["1", "3", "7"] {
        let args = ["--n", "1000003", "--workers", workers, "--seed", "5"];
        let output = run_answer(BIN, &args, "sum_in_processes");
        assert_written(&output, "sum_in_processes");
        let par = value(&texts(&output).0, "Parallel sum: ").to_string();
        assert_eq!(par, expected_sum(1_000_003, 5), "sum_in_processes: {args:?}");
    }
    // One worker's sum of the default 50,000,000 numbers is past an i32's.
    assert_written(&run_answer(BIN, &["--workers", "1"], "sum_in_processes"), "sum_in_processes");
    let expect = Expect { size: Some(50_000_000), ..Expect::new("sum_in_processes", 3) };
    let args = ["--n", "50000000", "--workers", "3"];
    judge_run(BIN, &args, &expect);
}
