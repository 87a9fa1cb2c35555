//! `vecAddF-heavy.py` in Rust: 1,000,000 random floats, `x*x + sin(x)` per
//! element, summed, then summed in worker processes that each get their chunk
//! through a pipe. The lecture (32 CPUs) printed `Speedup: 2.69x with 32 processes`.
//!
//! The lesson: processes pay off when the work per element outweighs the
//! cost of sending it. Python's does; Rust's takes about as long as sending
//! its 8 bytes, so the processes lose, and threads (`--threads`) win. On 2 cores:
//!
//! ```text
//! Sequential sum: 793223.25, time = 0.009 s
//! Parallel sum: 793223.25, time = 0.010 s
//! Speedup: 0.89x with 2 processes
//! Speedup: 1.85x with 2 threads        (--threads)
//! ```

mod cli;
mod procs;
mod random;

use std::io::{self, Write};
use std::process::{self, Command, ExitCode, Stdio};
use std::{num::NonZero, thread};

use anyhow::{Context, Result, ensure};
use clap::Parser;
use procs::Procs;

/// The work each worker does, as in the Python: `s += x*x + math.sin(x)`.
fn heavy_sum(subarray: &[f64]) -> f64 {
    let _timeline = timing::computing().size(subarray.len()); // this worker computes
    let mut s = 0.0;
    for x in subarray {
        s += x * x + x.sin();
    }
    s
}

fn main() -> ExitCode {
    cli::end_on_panic();
    let args = Args::parse();
    cli::exit(if let Some(parent) = args.worker { worker(parent) } else { run(&args) })
}

/// The Python script's main block (more in docs/lessons.md, "heavy_sum").
fn run(args: &Args) -> Result<()> {
    let n = args.n;
    let arr = random::rand(n, args.seed)?; // np.random.rand(N)
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

    let start = timing::record(); // and the timeline: who does what from here
    let partial_sums =
        if args.threads { sum_in_threads(&chunks) } else { sum_in_processes(&chunks)? };
    let par_sum: f64 = partial_sums.iter().sum();
    let par_time = timing::since(start);
    writeln!(out, "Parallel sum: {par_sum:.2}, time = {par_time:.3} s")?;
    let kind = cli::plural(num_procs, if args.threads { "thread" } else { "process" });
    writeln!(out, "Speedup: {:.2}x with {kind}", seq_time / par_time)?;
    // Every term is >= 0: adding in another order moves a sum n*EPSILON*sum at most.
    let difference = (par_sum - seq_sum).abs();
    writeln!(out, "Difference: {difference:.1e} (the parallel sum adds in another order)")?;
    timing::finish(&kind).print(&mut out, args.timeline.svg())?;
    ensure!(difference <= 2.0 * n as f64 * f64::EPSILON * seq_sum, "{par_sum} is not {seq_sum}");
    Ok(())
}

/// Threads borrow their chunk: no copy, and all of them run at once.
fn sum_in_threads(chunks: &[&[f64]]) -> Vec<f64> {
    thread::scope(|s| {
        let handles: Vec<_> = chunks.iter().map(|chunk| s.spawn(|| heavy_sum(chunk))).collect();
        handles.into_iter().map(|h| h.join().expect("heavy_sum cannot panic")).collect()
    })
}

/// `pool.map(heavy_sum, chunks)`: a worker process per chunk, the chunk
/// copied through its stdin, the partial sum read back from its stdout.
fn sum_in_processes(chunks: &[&[f64]]) -> Result<Vec<f64>> {
    thread::scope(|s| {
        let mut procs = Procs::new(); // in the scope: on an error it kills them first
        for chunk in chunks {
            let worker = worker_command()?.spawn().context("cannot start a worker")?;
            let worker = procs.watch(worker, 1)?; // it owes one answer: its sum
            let mut stdin = worker.stdin.take().expect("stdin is piped");
            // The copy, from a thread of its own: a slow worker hides no failed one.
            s.spawn(move || stdin.write_all(bytemuck::cast_slice(chunk)));
        } // each stdin is dropped once written: closing the pipe ends the chunk
        let mut partial_sums = vec![0.0; chunks.len()];
        for _ in chunks {
            let (i, answer) = procs.next_line()?; // whichever worker answers first
            partial_sums[i] = procs::parse(i, &answer)?;
        }
        procs.join()?;
        Ok(partial_sums)
    })
}

/// The worker side: the heavy sum of the numbers on stdin (`{}` prints it exactly).
fn worker(parent: u32) -> Result<()> {
    procs::watch_parent(parent)?;
    let mut sum = 0.0;
    procs::each_block(|numbers| sum += heavy_sum(numbers))?;
    procs::answer(sum)
}

/// This same program, started again as a worker (Python's `spawn`): chunk in
/// on stdin, sum out on stdout, failures on stderr; `main` runs `worker`.
fn worker_command() -> Result<Command> {
    let exe = std::env::current_exe().context("cannot find this program to start a worker")?;
    let mut command = Command::new(exe);
    command.args(["--worker", &process::id().to_string()]);
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    procs::end_with_parent(&mut command); // see procs.rs
    Ok(command)
}

/// A compute-heavy sum in worker processes or threads (vecAddF-heavy.py).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// How many random floats in [0, 1) to sum
    #[arg(long, default_value_t = 1_000_000, value_parser = cli::size)]
    n: usize,
    /// Worker processes (or threads with --threads) [default: all CPUs]
    #[arg(long, value_parser = cli::workers)]
    workers: Option<u16>,
    /// Use scoped threads that borrow their chunk instead of processes
    #[arg(long)]
    threads: bool,
    /// Seed for the random numbers, to get the same array every run
    #[arg(long, value_parser = cli::seed)]
    seed: Option<u64>,
    #[command(flatten)]
    timeline: cli::Timeline,
    /// Run as a worker of process PARENT: print the heavy sum of the f64s on stdin
    #[arg(long, hide = true, value_name = "PARENT")]
    worker: Option<u32>,
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
    fn threads_sum_every_chunk_in_chunk_order() {
        testkit::judged("sum_in_threads", || {
            // The first chunk the longest, the last to be summed; one empty.
            let arr: Vec<f64> = (0..3_000_000).map(|i| f64::from(i % 7)).collect();
            let chunks =
                [&arr[..2_999_000], &arr[..0], &arr[2_999_000..2_999_500], &arr[2_999_500..]];
            let expected: Vec<f64> = chunks.iter().map(|chunk| heavy_sum(chunk)).collect();
            for _ in 0..3 {
                let sums = sum_in_threads(&chunks);
                if sums != expected {
                    return Err(format!(
                        "sum_in_threads: {sums:?}, not {expected:?}: one sum a chunk, in chunk order"
                    ));
                }
            }
            Ok(())
        });
    }
}
