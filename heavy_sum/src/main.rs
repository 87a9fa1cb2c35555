//! `vecAddF-heavy.py` in Rust: 1,000,000 random floats, `x*x + sin(x)` per
//! element, summed sequentially and then in worker processes that are each
//! sent their chunk through a pipe. The lecture (32 CPUs) printed
//! `Speedup: 2.69x with 32 processes`.
//!
//! The lesson: processes pay off when the work per element outweighs the
//! cost of sending it. Python's does. Rust's takes about as long as sending
//! its 8 bytes, so here the processes lose, and threads (`--threads`), which
//! send nothing, win. One run of each on a 2-core machine:
//!
//! ```text
//! Sequential sum: 793223.25, time = 0.009 s
//! Parallel sum: 793223.25, time = 0.010 s
//! Speedup: 0.89x with 2 processes
//! Speedup: 1.85x with 2 threads        (--threads)
//! ```
//!
//! The README says more: the cost per element on this machine, and why the
//! two sums may differ in their last digits. `procs.rs` is plumbing.

mod procs;

use std::env;
use std::io::{self, Write};
use std::num::NonZero;
use std::process::{self, Command, ExitCode, Stdio};
use std::thread;

use anyhow::{Context, Result, ensure};
use clap::Parser;
use procs::{Procs, number};
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

/// The work each worker does, as in the Python: `s += x*x + math.sin(x)`.
fn heavy_sum(subarray: &[f64]) -> f64 {
    let mut s = 0.0;
    for x in subarray {
        s += x * x + x.sin();
    }
    s
}

fn main() -> ExitCode {
    procs::end_on_panic();
    let args = Args::parse();
    procs::exit(match args.worker {
        Some(parent) => worker(parent),
        None => run(&args),
    })
}

/// The Python script's main block.
fn run(args: &Args) -> Result<()> {
    timing::warn_if_unoptimised();
    let n = args.n;
    let arr = random_array(n, args.seed)?;
    let mut out = io::stdout();

    // Sequential
    let start = timing::now();
    let seq_sum = heavy_sum(&arr);
    let seq_time = timing::since(start);
    writeln!(out, "Sequential sum: {seq_sum:.2}, time = {seq_time:.3} s")?;

    // Parallel
    let cpus = thread::available_parallelism().map_or(1, NonZero::get);
    let num_procs = args.workers.map_or(cpus, usize::from);
    // Chunk i is arr[i*n/w .. (i+1)*n/w]: every element lands in exactly one.
    let chunks: Vec<&[f64]> =
        (0..num_procs).map(|i| &arr[i * n / num_procs..(i + 1) * n / num_procs]).collect();
    let start = timing::now();
    let partial_sums =
        if args.threads { sum_in_threads(&chunks)? } else { sum_in_processes(&chunks)? };
    let par_sum: f64 = partial_sums.iter().sum();
    let par_time = timing::since(start);
    writeln!(out, "Parallel sum: {par_sum:.2}, time = {par_time:.3} s")?;
    let kind = match (args.threads, num_procs) {
        (true, 1) => "thread",
        (true, _) => "threads",
        (false, 1) => "process",
        (false, _) => "processes",
    };
    let speedup = seq_time / par_time;
    writeln!(out, "Speedup: {speedup:.2}x with {num_procs} {kind}")?;

    // Every term is >= 0, so adding in another order changes each sum by at
    // most n * EPSILON * sum: the two may differ by twice that, never more.
    let difference = (par_sum - seq_sum).abs();
    writeln!(out, "Difference: {difference:.1e} (the parallel sum adds in another order)")?;
    let bound = 2.0 * n as f64 * f64::EPSILON * seq_sum;
    ensure!(difference <= bound, "parallel sum {par_sum} is too far from {seq_sum}");
    Ok(())
}

/// A compute-heavy sum in worker processes or threads (vecAddF-heavy.py).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// How many random floats in [0, 1) to sum
    #[arg(long, default_value_t = 1_000_000, value_parser = size)]
    n: usize,
    /// Worker processes (or threads with --threads) [default: all CPUs]
    #[arg(long, value_parser = workers)]
    workers: Option<u16>,
    /// Use scoped threads that borrow their chunk instead of processes
    #[arg(long)]
    threads: bool,
    /// Seed for the random numbers, to get the same array every run
    #[arg(long, value_parser = seed)]
    seed: Option<u64>,
    /// Run as a worker of process PARENT: print the heavy sum of the f64s on stdin
    #[arg(long, hide = true, value_name = "PARENT")]
    worker: Option<u32>,
}

/// The flags' whole numbers, each in its range (`number` is in procs.rs).
fn size(s: &str) -> Result<usize, String> {
    number(s, 1..=1_000_000_000)
}

fn workers(s: &str) -> Result<u16, String> {
    number(s, 1..=256)
}

fn seed(s: &str) -> Result<u64, String> {
    number(s, 0..=u64::MAX.into())
}

/// `np.random.rand(n)`: n floats in [0, 1).
fn random_array(n: usize, seed: Option<u64>) -> Result<Vec<f64>> {
    let mut rng = match seed {
        Some(seed) => SmallRng::seed_from_u64(seed),
        None => rand::make_rng(),
    };
    let mut arr = Vec::new();
    arr.try_reserve_exact(n).with_context(|| format!("not enough memory for {n} numbers"))?;
    arr.extend((0..n).map(|_| rng.random::<f64>()));
    Ok(arr)
}

/// Threads borrow their chunk: no copy, and all of them run at once.
fn sum_in_threads(chunks: &[&[f64]]) -> Result<Vec<f64>> {
    thread::scope(|s| {
        let mut handles = Vec::new();
        for chunk in chunks {
            let handle = thread::Builder::new().spawn_scoped(s, || heavy_sum(chunk));
            handles.push(handle.context("cannot start a thread")?);
        }
        Ok(handles.into_iter().map(|h| h.join().expect("heavy_sum cannot panic")).collect())
    })
}

/// `pool.map(heavy_sum, chunks)`: a worker process per chunk, the chunk
/// copied through its stdin, the partial sum read back from its stdout.
fn sum_in_processes(chunks: &[&[f64]]) -> Result<Vec<f64>> {
    thread::scope(|s| {
        // In here, so that on any error the workers are killed (and the
        // threads copying to them stop) before the scope waits for those.
        let mut procs = Procs::new();
        for chunk in chunks {
            let worker = worker_command()?.spawn().context("cannot start a worker")?;
            let worker = procs.watch(worker, 1)?; // it owes one answer: its sum
            let mut stdin = worker.stdin.take().expect("stdin is piped");
            // The copy, from a thread of its own: a worker slow to take it
            // cannot keep the parent from hearing that another one failed.
            // (One that has died cannot take it: `next_line` says so.)
            thread::Builder::new()
                .spawn_scoped(s, move || {
                    let _ = stdin.write_all(bytemuck::cast_slice(chunk));
                }) // stdin is dropped here: closing the pipe ends the chunk
                .context("cannot start a thread to copy a chunk")?;
        }
        let mut partial_sums = vec![0.0; chunks.len()];
        for _ in chunks {
            let (i, answer) = procs.next_line()?; // whichever worker answers first
            partial_sums[i] = answer
                .parse()
                .with_context(|| format!("worker {i} answered {answer:?}, not a number"))?;
        }
        procs.join()?;
        Ok(partial_sums)
    })
}

/// The worker side: the heavy sum of the numbers on stdin, printed with `{}`,
/// the shortest text that parses back to the very same f64. They are read
/// block by block into one reused buffer, as in `vec_add`.
fn worker(parent: u32) -> Result<()> {
    procs::watch_parent(parent)?;
    let mut stdin = io::stdin().lock();
    let mut block = vec![0_f64; 64 * 1024];
    let mut sum = 0.0;
    loop {
        let bytes = procs::fill(&mut stdin, bytemuck::cast_slice_mut(&mut block))?;
        ensure!(bytes % 8 == 0, "worker: its input is not a whole number of f64");
        sum += heavy_sum(&block[..bytes / 8]);
        if bytes < size_of_val(&block[..]) {
            break; // the input has ended
        }
    }
    writeln!(io::stdout(), "{sum}")?;
    Ok(())
}

/// This same program, started again as a worker of this process (what
/// Python's `spawn` does): `--worker PARENT` tells `main` to run `worker`.
/// Its chunk goes in through its stdin, its sum comes back on its stdout,
/// and its stderr says why, if it fails: three pipes.
fn worker_command() -> Result<Command> {
    let exe = env::current_exe().context("cannot find this program to start a worker")?;
    let mut command = Command::new(exe);
    command.args(["--worker", &process::id().to_string()]);
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    procs::end_with_parent(&mut command); // see procs.rs
    Ok(command)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heavy_sum_adds_x_squared_plus_sin_x() {
        assert_eq!(heavy_sum(&[]), 0.0);
        assert_eq!(heavy_sum(&[0.0]), 0.0);
        let x = 0.5_f64;
        assert_eq!(heavy_sum(&[x, x]), 2.0 * (x * x + x.sin()));
    }

    #[test]
    fn random_array_is_in_range_and_reproducible() {
        let a = random_array(10_000, Some(7)).unwrap();
        assert!(a.iter().all(|x| (0.0..1.0).contains(x)));
        assert_eq!(a, random_array(10_000, Some(7)).unwrap());
    }

    #[test]
    fn threads_sum_every_chunk() {
        let arr = [0.0, 0.5, 1.0];
        let sums = sum_in_threads(&[&arr[..1], &arr[1..1], &arr[1..]]).unwrap();
        assert_eq!(sums, vec![0.0, 0.0, heavy_sum(&arr[1..])]);
    }
}
