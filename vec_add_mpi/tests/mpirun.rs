//! `vec_add_mpi` under `mpirun`, as a student starts it: exact sums with 1
//! to 4 ranks, and a job that ends, whole, when one rank fails or dies.
//! Needs Open MPI's `mpirun` (see the README); CI installs it.
#![cfg(target_os = "linux")]

use std::fs;
use std::path::PathBuf;
use std::thread::sleep;
use std::time::{Duration, Instant};

use testkit::{DEADLINE, GONE_WITHIN, Started, kill, texts, value};

const BIN: &str = env!("CARGO_BIN_EXE_vec_add_mpi");

/// `mpirun` with the flags a test machine needs: more ranks than cores,
/// and root (as in CI) allowed.
fn mpirun(args: &[&str]) -> Started {
    let mut all = vec!["--oversubscribe", "--allow-run-as-root"];
    all.extend_from_slice(args);
    Started::new("mpirun", &all, &[])
}

/// The pids of this test binary's ranks that are still running.
fn ranks() -> Vec<u32> {
    let bin = fs::canonicalize(BIN).expect("the binary exists");
    let mut pids = Vec::new();
    for entry in fs::read_dir("/proc").expect("/proc exists").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let exe = fs::read_link(entry.path().join("exe")).unwrap_or_default();
        if exe == bin && testkit::state(pid).is_some_and(|s| s != 'Z') {
            pids.push(pid);
        }
    }
    pids
}

/// The rank number `mpirun` gave process `pid`.
fn rank_of(pid: u32) -> Option<u32> {
    let environ = fs::read(PathBuf::from(format!("/proc/{pid}/environ"))).ok()?;
    environ
        .split(|&b| b == 0)
        .find_map(|var| var.strip_prefix(b"OMPI_COMM_WORLD_RANK="))
        .and_then(|rank| std::str::from_utf8(rank).ok()?.parse().ok())
}

fn assert_no_rank_left() {
    let start = Instant::now();
    while !ranks().is_empty() {
        assert!(
            start.elapsed() < GONE_WITHIN,
            "ranks left behind: {:?}",
            ranks()
        );
        sleep(Duration::from_millis(20));
    }
}

#[test]
fn both_parallel_sums_equal_the_sequential_sum_with_1_to_4_ranks() {
    // 3 elements: more ranks than elements; 1000003: no rank count divides it.
    for n in ["3", "1000003", "50_000"] {
        for np in ["1", "2", "3", "4"] {
            let output = mpirun(&["-np", np, BIN, "--n", n, "--seed", "5"]).finish();
            let (stdout, stderr) = texts(&output);
            assert!(output.status.success(), "np {np}, n {n}: {stderr}");
            let seq = value(&stdout, "Sequential sum: ");
            assert_eq!(value(&stdout, "Processes: "), np);
            assert_eq!(
                value(&stdout, "Parallel sum (scattered): "),
                seq,
                "{stdout}"
            );
            assert_eq!(
                value(&stdout, "Parallel sum (made locally): "),
                seq,
                "{stdout}"
            );
            assert_eq!(stdout.matches("Speedup: ").count(), 2, "{stdout}");
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_sum_on_any_number_of_ranks() {
    let sum = |np: &str| {
        let output = mpirun(&["-np", np, BIN, "--n", "100000", "--seed", "9"]).finish();
        value(&texts(&output).0, "Sequential sum: ").to_string()
    };
    assert_eq!(sum("1"), sum("3"));
}

#[test]
fn a_rank_refused_its_flags_ends_the_whole_job() {
    // Rank 1 is given a bad --n; rank 0 would wait for it for ever.
    let run = mpirun(&[
        "-np", "1", BIN, "--n", "1000", ":", "-np", "1", BIN, "--n", "0",
    ]);
    let output = run.finish_within(DEADLINE);
    let (stdout, stderr) = texts(&output);
    assert!(!output.status.success(), "{stdout}{stderr}");
    assert!(
        stderr.contains("error: invalid value '0' for '--n <N>'"),
        "clap's line reaches the user: {stderr}"
    );
    assert_no_rank_left();
}

#[test]
fn a_killed_rank_ends_the_whole_job() {
    // Large enough that rank 0 is still making its array when rank 1 dies.
    let run = mpirun(&["-np", "2", BIN, "--n", "200_000_000"]);
    let start = Instant::now();
    let victim = loop {
        let rank_1 = ranks().into_iter().find(|&pid| rank_of(pid) == Some(1));
        if let Some(pid) = rank_1 {
            break pid;
        }
        assert!(start.elapsed() < DEADLINE, "rank 1 never started");
        sleep(Duration::from_millis(5));
    };
    assert!(kill(victim));
    let output = run.finish_within(DEADLINE);
    let (stdout, stderr) = texts(&output);
    assert!(!output.status.success(), "{stdout}{stderr}");
    assert!(!stdout.contains("Parallel sum"), "{stdout}");
    assert!(stderr.contains("signal 9"), "mpirun says why: {stderr}");
    assert_no_rank_left();
}
