//! `vec_add_mpi` under `mpirun`, as a student starts it: exact sums with 1
//! to 4 ranks, and a job that ends, whole, when one rank fails or dies.
//! Needs Open MPI's `mpirun` (see the README); CI installs it.
#![cfg(target_os = "linux")]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::thread::sleep;
use std::time::{Duration, Instant};

use testkit::{DEADLINE, GONE_WITHIN, Started, kill, texts, value};

const BIN: &str = env!("CARGO_BIN_EXE_vec_add_mpi");

/// One `mpirun` at a time: Open MPI 4 races with itself creating its
/// session folder when two start at once on one machine.
fn one_job_at_a_time() -> MutexGuard<'static, ()> {
    static JOBS: Mutex<()> = Mutex::new(());
    JOBS.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `mpirun` with the flags a test machine needs: more ranks than cores,
/// and root (as in CI) allowed. Its session files go under target/, not
/// /tmp, and its ranks carry `JOB=job` in their environment, so that they
/// can be found (mpirun puts them in process groups of their own).
fn mpirun(job: &str, args: &[&str]) -> Started {
    let mut all = vec!["--oversubscribe", "--allow-run-as-root"];
    all.extend_from_slice(args);
    start(job, "mpirun", &all)
}

/// `program args` (mpirun, or a shell that runs it), in `job`'s environment.
fn start(job: &str, program: &str, args: &[&str]) -> Started {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mpi");
    fs::create_dir_all(&tmp).expect("a temp dir under target/");
    let env = [("TMPDIR", tmp.as_path()), (JOB, Path::new(job))];
    Started::new(program, args, &env)
}

const JOB: &str = "VEC_ADD_MPI_TEST_JOB";

/// The ranks of `job` still running.
fn ranks(job: &str) -> Vec<u32> {
    let bin = fs::canonicalize(BIN).expect("the binary exists");
    let tag = format!("{JOB}={job}");
    let mut pids = Vec::new();
    for entry in fs::read_dir("/proc").expect("/proc exists").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let ours = fs::read_link(entry.path().join("exe")).is_ok_and(|exe| exe == bin)
            && environment(pid).contains(&tag);
        if ours && testkit::state(pid).is_some_and(|s| s != 'Z') {
            pids.push(pid);
        }
    }
    pids
}

fn environment(pid: u32) -> Vec<String> {
    let environ = fs::read(PathBuf::from(format!("/proc/{pid}/environ"))).unwrap_or_default();
    environ.split(|&b| b == 0).map(|var| String::from_utf8_lossy(var).into_owned()).collect()
}

/// The rank number `mpirun` gave process `pid`.
fn rank_of(pid: u32) -> Option<u32> {
    environment(pid).iter().find_map(|var| var.strip_prefix("OMPI_COMM_WORLD_RANK=")?.parse().ok())
}

fn assert_no_rank_left(job: &str) {
    let start = Instant::now();
    while !ranks(job).is_empty() {
        assert!(start.elapsed() < GONE_WITHIN, "ranks left behind: {:?}", ranks(job));
        sleep(Duration::from_millis(20));
    }
}

#[test]
fn both_parallel_sums_equal_the_sequential_sum_with_1_to_4_ranks() {
    let _job = one_job_at_a_time();
    // 3 elements: more ranks than elements; 1000003: no rank count divides it.
    for n in ["3", "1000003", "50_000"] {
        for np in ["1", "2", "3", "4"] {
            let output = mpirun("sums", &["-np", np, BIN, "--n", n, "--seed", "5"]).finish();
            let (stdout, stderr) = texts(&output);
            assert!(output.status.success(), "np {np}, n {n}: {stderr}");
            let seq = value(&stdout, "Sequential sum: ");
            assert_eq!(value(&stdout, "Processes: "), np);
            assert_eq!(value(&stdout, "Parallel sum (scattered): "), seq, "{stdout}");
            assert_eq!(value(&stdout, "Parallel sum (made locally): "), seq, "{stdout}");
            assert_eq!(stdout.matches("Speedup: ").count(), 2, "{stdout}");
            let processes = if np == "1" { "1 process\n" } else { " processes\n" };
            assert_eq!(stdout.matches(processes).count(), 2, "{stdout}");
            // One host here: every rank on it, named once.
            let ranks = (0..np.parse().unwrap()).map(|r: u32| r.to_string()).collect::<Vec<_>>();
            let word = if np == "1" { "rank" } else { "ranks" };
            let hosts = stdout.lines().find_map(|l| l.strip_prefix("Hosts: ")).unwrap_or("");
            assert!(hosts.ends_with(&format!(" ({word} {})", ranks.join(", "))), "{stdout}");
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_sum_on_any_number_of_ranks() {
    let _job = one_job_at_a_time();
    let sum = |np: &str| {
        let output = mpirun("seed", &["-np", np, BIN, "--n", "100000", "--seed", "9"]).finish();
        value(&texts(&output).0, "Sequential sum: ").to_string()
    };
    assert_eq!(sum("1"), sum("3"));
}

#[test]
fn a_rank_refused_its_flags_ends_the_whole_job() {
    let _job = one_job_at_a_time();
    // Rank 1 is given a bad --n; rank 0 would wait for it for ever.
    let job = "refused";
    let run = mpirun(job, &["-np", "1", BIN, "--n", "1000", ":", "-np", "1", BIN, "--n", "0"]);
    let output = run.finish_within(DEADLINE);
    let (stdout, stderr) = texts(&output);
    assert!(!output.status.success(), "{stdout}{stderr}");
    assert!(
        stderr.contains("error: rank 1: invalid value '0' for '--n <N>'"),
        "clap's line, naming the rank, reaches the user: {stderr}"
    );
    assert_no_rank_left(job);
}

#[test]
fn a_killed_rank_ends_the_whole_job() {
    let _job = one_job_at_a_time();
    let job = "killed";
    for _ in 0..10 {
        let mut run = mpirun(job, &["-np", "2", BIN, "--n", "20_000_000"]);
        // Rank 0 prints its sequential sum once MPI has started on every
        // rank; rank 1 is killed then, while the parts are sent and summed.
        assert!(run.wait_for_line("Sequential sum: ").is_some(), "the job started");
        let victim = ranks(job).into_iter().find(|&pid| rank_of(pid) == Some(1));
        let killed = victim.is_some_and(kill);
        let output = run.finish_within(DEADLINE);
        let (stdout, stderr) = texts(&output);
        if !killed || stdout.contains("Parallel sum") {
            // The job ran to its end first (a busy machine): again.
            assert_no_rank_left(job);
            continue;
        }
        assert!(!output.status.success(), "{stdout}{stderr}");
        assert!(
            stderr.contains("rank 1") && stderr.contains("signal 9"),
            "mpirun says which rank and why: {stderr}"
        );
        assert_no_rank_left(job);
        return;
    }
    panic!("in 10 jobs, rank 1 was never killed before the job ended");
}

#[test]
fn alone_without_mpirun_an_error_is_one_line_and_leaves_nothing() {
    let _job = one_job_at_a_time();
    let tmp = testkit::fresh_dir(env!("CARGO_TARGET_TMPDIR"), "mpi-alone");
    let output = testkit::run_into_full_disk_with_tmp(BIN, &["--n", "1000"], &tmp);
    testkit::assert_one_line_error(&output, "No space left on device");
    // MPI's helper removes its session files just after the program ends.
    let start = Instant::now();
    while !testkit::entries(&tmp).is_empty() {
        assert!(start.elapsed() < GONE_WITHIN, "left behind: {:?}", testkit::entries(&tmp));
        sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_array_that_does_not_fit_in_memory_is_one_line() {
    let _job = one_job_at_a_time();
    // 8 GB of numbers in 400 MB: alone, the other lessons' one line.
    let args = ["--n", "1_000_000_000"];
    let output = testkit::run_limited("ulimit -v 400000", BIN, &args);
    testkit::assert_one_line_error(&output, "not enough memory for 1000000000 numbers");

    // Under mpirun, the rank says so, and mpirun ends the job (no abort,
    // no signal dump): rank 0's whole array fits, its part does not.
    let job = "memory";
    let limited = "ulimit -v 1000000; exec mpirun \"$@\"";
    let mut all = vec!["-c", limited, "mpirun", "--oversubscribe", "--allow-run-as-root"];
    all.extend(["-np", "2", BIN, "--n", "100_000_000"]);
    let output = start(job, "sh", &all).finish_within(DEADLINE);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("error: rank 0: not enough memory for 50000000 numbers"), "{stderr}");
    assert!(!stderr.contains("Signal"), "{stderr}");
    assert_no_rank_left(job);
}
