//! `vecAdd.py` in Rust: partial sums of 50,000,000 random i64 in a pool of
//! worker processes, each sent its chunk as bytes through a pipe.
//!
//! The lesson: sending data to another process means copying it, and for a
//! sum the copy costs far more than the adding. The lecture (32 CPUs) printed
//! `Speedup: 0.03x with 32 processes`; here too the processes lose (one run
//! on a 2-core machine):
//!
//! ```text
//! Sequential sum: 2500193854, time = 0.014 s
//! CPUs: 2
//! Parallel sum: 2500193854, time = 0.378 s
//! Speedup: 0.04x with 2 processes
//! ```
//!
//! What Rust changes: `--threads` runs the same `partial_sum` on scoped
//! threads that borrow their chunk, so nothing is copied and, with no GIL,
//! the speedup is limited only by memory bandwidth. A worker process is this
//! same program started again with a hidden `--worker LEN` (Python's `spawn`).
//! Unlike vecAdd.py, every element is summed whatever N and the worker count.

use std::io::{Read, Write};
use std::num::NonZero;
use std::process::{Child, Command, ExitCode, Stdio};
use std::{env, thread};

use anyhow::{Context, Result, bail, ensure};
use clap::Parser;
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

/// Partial sums of random integers in worker processes or threads (vecAdd.py).
#[derive(Parser)]
struct Args {
    /// How many random integers (1..=99) to sum
    #[arg(long, default_value_t = 50_000_000, value_parser = positive, allow_hyphen_values = true)]
    n: usize,
    /// Worker processes (or threads with --threads) [default: all CPUs]
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    workers: Option<u16>,
    /// Use scoped threads that borrow their chunk instead of processes
    #[arg(long)]
    threads: bool,
    /// Seed for the random numbers, to get the same array every run
    #[arg(long)]
    seed: Option<u64>,
    /// Run as a worker: read LEN i64 from stdin, print their sum
    #[arg(long, hide = true, value_name = "LEN")]
    worker: Option<usize>,
}

/// The work each worker does, as in the Python.
fn partial_sum(subarray: &[i64]) -> i64 {
    subarray.iter().sum()
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.worker {
        Some(len) => worker(len),
        None => run(&args),
    };
    // Any failure ends in one line, like clap's errors, and exit code 1.
    if let Err(err) = result {
        eprintln!("error: {err:#}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// The Python script's main block.
fn run(args: &Args) -> Result<()> {
    let n = args.n;
    let arr = random_array(n, args.seed)?;

    // Sequential execution
    let (seq_sum, seq_time) = timing::time(|| partial_sum(&arr));
    println!(
        "Sequential sum: {seq_sum}, time = {:.3} s",
        seq_time.as_secs_f64()
    );

    // Parallel execution
    let cpus = thread::available_parallelism().map_or(1, NonZero::get);
    println!("CPUs: {cpus}");
    let num_procs = args.workers.map_or(cpus, usize::from);
    // Chunk i is arr[i*n/w .. (i+1)*n/w]: every element lands in exactly one.
    let chunks: Vec<&[i64]> = (0..num_procs)
        .map(|i| &arr[i * n / num_procs..(i + 1) * n / num_procs])
        .collect();

    let (partial_sums, par_time) = timing::time(|| {
        if args.threads {
            Ok(sum_in_threads(&chunks))
        } else {
            sum_in_processes(&chunks)
        }
    });
    let par_sum: i64 = partial_sums?.iter().sum();
    println!(
        "Parallel sum: {par_sum}, time = {:.3} s",
        par_time.as_secs_f64()
    );
    let kind = if args.threads { "threads" } else { "processes" };
    println!(
        "Speedup: {:.2}x with {num_procs} {kind}",
        seq_time.as_secs_f64() / par_time.as_secs_f64()
    );

    ensure!(
        par_sum == seq_sum,
        "parallel sum {par_sum} != sequential sum {seq_sum}"
    );
    Ok(())
}

/// `np.random.randint(1, 100, size=n)`: n integers in 1..=99.
fn random_array(n: usize, seed: Option<u64>) -> Result<Vec<i64>> {
    let mut rng = match seed {
        Some(seed) => SmallRng::seed_from_u64(seed),
        None => rand::make_rng(),
    };
    let mut arr = Vec::new();
    arr.try_reserve_exact(n)
        .with_context(|| format!("not enough memory for {n} numbers"))?;
    arr.extend((0..n).map(|_| rng.random_range(1..100)));
    Ok(arr)
}

/// Threads borrow their chunk: no copy, and all of them run at once.
fn sum_in_threads(chunks: &[&[i64]]) -> Vec<i64> {
    thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| s.spawn(|| partial_sum(chunk)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("partial_sum cannot panic"))
            .collect()
    })
}

/// `pool.map(partial_sum, chunks)`: one process per chunk, the chunk copied
/// through its stdin, the partial sum read back from its stdout.
fn sum_in_processes(chunks: &[&[i64]]) -> Result<Vec<i64>> {
    let mut workers = Workers(Vec::new());
    for chunk in chunks {
        workers.0.push(start_worker(chunk.len())?);
    }
    for (i, (child, chunk)) in workers.0.iter_mut().zip(chunks).enumerate() {
        let mut stdin = child.stdin.take().expect("stdin is piped");
        if let Err(err) = stdin.write_all(as_bytes(chunk)) {
            // The pipe broke because the worker died: say how it ended.
            answer(i, child)?;
            return Err(err).with_context(|| format!("cannot send worker {i} its chunk"));
        }
        // Dropping stdin closes the pipe: the worker has its whole chunk.
    }
    let mut partial_sums = Vec::new();
    for (i, child) in workers.0.iter_mut().enumerate() {
        partial_sums.push(answer(i, child)?);
    }
    Ok(partial_sums)
}

/// The worker side: read `len` numbers from stdin, print their sum.
///
/// The chunk is read block by block into one reused buffer: the copy through
/// the pipe is the lesson, while a fresh buffer as large as the chunk would
/// only add page faults (measured: they doubled the parallel time).
fn worker(len: usize) -> Result<()> {
    let mut stdin = std::io::stdin().lock();
    let mut block = vec![0_i64; 64 * 1024];
    let (mut sum, mut left) = (0, len);
    while left > 0 {
        let block = &mut block[..left.min(64 * 1024)];
        stdin
            .read_exact(as_bytes_mut(block))
            .context("worker: cannot read its chunk from stdin")?;
        sum += partial_sum(block);
        left -= block.len();
    }
    println!("{sum}");
    Ok(())
}

/// Worker processes still running when this is dropped (an error cut the run
/// short) are killed and reaped: no worker outlives the run.
struct Workers(Vec<Child>);

impl Drop for Workers {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill(); // Ok(()) for a child that has already exited
            let _ = child.wait();
        }
    }
}

/// Starts this same program as a worker that will sum `len` numbers.
fn start_worker(len: usize) -> Result<Child> {
    let exe = env::current_exe().context("cannot find this program to start a worker")?;
    Command::new(exe)
        .arg("--worker")
        .arg(len.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start a worker process")
}

/// Reads worker `i`'s answer and checks how it ended; every failure names it.
fn answer(i: usize, child: &mut Child) -> Result<i64> {
    let mut text = String::new();
    let read = child
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_string(&mut text);
    let status = child
        .wait()
        .with_context(|| format!("cannot wait for worker {i}"))?;
    if !status.success() {
        bail!("worker {i} failed: {status}");
    }
    read.with_context(|| format!("cannot read worker {i}'s answer"))?;
    text.trim()
        .parse()
        .with_context(|| format!("worker {i} answered {text:?}, not a number"))
}

/// The bytes of a slice of numbers, to write them to a pipe in one go.
fn as_bytes(numbers: &[i64]) -> &[u8] {
    // SAFETY: i64 has no padding and every byte of it is initialised; u8 has
    // alignment 1; the length in bytes is the same memory as the slice.
    unsafe { std::slice::from_raw_parts(numbers.as_ptr().cast(), size_of_val(numbers)) }
}

/// The bytes of a slice of numbers, to read them from a pipe in one go.
fn as_bytes_mut(numbers: &mut [i64]) -> &mut [u8] {
    // SAFETY: as in `as_bytes`, and every bit pattern is a valid i64, so any
    // bytes written through the returned slice leave valid numbers behind.
    unsafe { std::slice::from_raw_parts_mut(numbers.as_mut_ptr().cast(), size_of_val(numbers)) }
}

/// A size must be a whole number of at least 1.
fn positive(s: &str) -> Result<usize, String> {
    match s.parse() {
        Ok(0) | Err(_) => Err(format!("expected a whole number of at least 1, got {s:?}")),
        Ok(n) => Ok(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_sum_adds_every_element() {
        assert_eq!(partial_sum(&[]), 0);
        assert_eq!(partial_sum(&[1, 2, 3, 99]), 105);
    }

    #[test]
    fn random_array_is_in_range_and_reproducible() {
        let a = random_array(10_000, Some(7)).unwrap();
        assert!(a.iter().all(|x| (1..=99).contains(x)));
        assert_eq!(a, random_array(10_000, Some(7)).unwrap());
        // Both ends of randint(1, 100) occur, and nothing outside them.
        assert!(a.contains(&1) && a.contains(&99));
    }

    #[test]
    fn threads_sum_every_chunk() {
        let arr: Vec<i64> = (1..=10).collect();
        assert_eq!(
            sum_in_threads(&[&arr[..3], &arr[3..3], &arr[3..]]),
            vec![6, 0, 49]
        );
    }

    #[test]
    fn byte_views_round_trip() {
        let numbers = [1_i64, -2, i64::MAX];
        let mut copy = [0_i64; 3];
        as_bytes_mut(&mut copy).copy_from_slice(as_bytes(&numbers));
        assert_eq!(copy, numbers);
    }

    #[test]
    fn sizes_must_be_positive_whole_numbers() {
        assert_eq!(positive("12"), Ok(12));
        assert!(positive("0").is_err());
        assert!(positive("-1").is_err());
        assert!(positive("abc").is_err());
    }
    #[cfg(unix)]
    #[test]
    fn answer_names_the_worker_and_the_cause() {
        let sh = |script: &str| {
            Command::new("sh")
                .args(["-c", script])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let err = answer(4, &mut sh("exit 3")).unwrap_err();
        assert_eq!(format!("{err:#}"), "worker 4 failed: exit status: 3");
        let err = answer(1, &mut sh("echo twelve")).unwrap_err();
        assert!(format!("{err:#}").starts_with("worker 1 answered \"twelve\\n\", not a number"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn dropping_workers_kills_and_reaps_them() {
        let child = Command::new("sleep").arg("30").spawn().unwrap();
        let pid = child.id();
        drop(Workers(vec![child]));
        assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
    }
}
