//! The practical session's first example in Rust: `compute_square(x)` sleeps
//! 0.1 s and returns `x * x`; ten of them one after another, then in a pool
//! of four worker processes (`Pool(4).map`). The notebook printed 1.00, 0.32, `True`.
//!
//! The lesson: while a task waits, another can run. Four workers finish ten
//! 0.1 s tasks in ceil(10 / 4) = 3 rounds, 0.30 s; the pool's cost is the rest:
//!
//! ```text
//! Sequential time: 1.00 seconds
//! Parallel time: 0.31 seconds
//! Results are the same: true
//! ```
//!
//! `--threads` runs the same pool with threads (docs/lessons.md, "squares").

mod cli;
mod pool;
mod procs;

use std::io::{self, Write};
use std::process::{self, Command, ExitCode, Stdio};
use std::{thread, time::Duration};

use anyhow::{Context, Result};
use clap::Parser;
use procs::Procs;

/// Simulate an expensive computation. (A u32 squared always fits in a u64.)
fn compute_square(x: u32, sleep: Duration) -> u64 {
    thread::sleep(sleep);
    u64::from(x) * u64::from(x)
}

fn main() -> ExitCode {
    cli::end_on_panic();
    let args = Args::parse();
    cli::exit(if let Some(parent) = args.worker { worker(parent, &args) } else { run(&args) })
}

/// The notebook cell.
fn run(args: &Args) -> Result<()> {
    let numbers: Vec<u32> = (0..args.tasks).collect();
    let sleep = Duration::from_millis(u64::from(args.sleep_ms));
    let mut out = io::stdout();

    // Sequential computation
    let start = timing::now();
    let mut results_seq = Vec::new();
    for &x in &numbers {
        results_seq.push(compute_square(x, sleep));
    }
    let time = timing::since(start);
    writeln!(out, "Sequential time: {time:.2} seconds")?;

    // Parallel computation (pool.map returns the results in input order)
    let workers = usize::from(args.workers);
    let start = timing::record(); // and the timeline: who did which task when
    let results_par = match args.threads {
        true => pool::map_in_threads(&numbers, workers, |&x| compute_square(x, sleep)),
        false => map_in_processes(&numbers, workers, args)?,
    };
    let time = timing::since(start);
    writeln!(out, "Parallel time: {time:.2} seconds")?;

    writeln!(out, "Results are the same: {}", results_seq == results_par)?;
    let kind = if args.threads { "thread" } else { "process" };
    timing::finish(&cli::plural(workers, kind)).print(&mut out, args.timeline.svg())?;
    Ok(())
}

/// `with Pool(workers) as pool: pool.map(compute_square, numbers)`: a task
/// for each worker process, and the next as soon as it has answered.
fn map_in_processes(numbers: &[u32], workers: usize, args: &Args) -> Result<Vec<u64>> {
    let mut procs = Procs::new();
    for _ in 0..workers.min(numbers.len()) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?; // it owes an answer for each task it is given
    }
    let mut tasks = numbers.iter().enumerate();
    for i in 0..procs.children.len() {
        procs.give(i, tasks.next()); // `TASK X` on its stdin
    }
    let mut results = vec![0; numbers.len()];
    for _ in numbers {
        let (i, task, square) = procs.next_answer()?; // whichever answers first
        results[task] = square;
        procs.give(i, tasks.next()); // and its next task, if one is left
    }
    procs.close()?; // the `with` block ends: the workers exit
    Ok(results)
}

/// The worker side: `TASK X*X` to every `TASK X` on stdin, X < 100000 (--tasks).
fn worker(parent: u32, args: &Args) -> Result<()> {
    procs::watch_parent(parent)?;
    let sleep = Duration::from_millis(u64::from(args.sleep_ms));
    procs::answer_tasks(|_, x: u32| (x < 100_000).then(|| compute_square(x, sleep)))
}

/// This same program, started again as a worker (Python's `spawn`): tasks in
/// on stdin, answers out on stdout, failures on stderr; `main` runs `worker`.
fn worker_command(args: &Args) -> Result<Command> {
    let exe = std::env::current_exe().context("cannot find this program to start a worker")?;
    let mut command = Command::new(exe);
    command.args(["--worker", &process::id().to_string()]);
    command.args(["--sleep-ms", &args.sleep_ms.to_string()]);
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    procs::end_with_parent(&mut command); // see procs.rs
    Ok(command)
}

/// Ten sleeping tasks, one by one and in a pool (the practical session's squares).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// How many tasks: the numbers 0, 1, ..., TASKS - 1
    #[arg(long, default_value_t = 10, value_parser = cli::tasks)]
    tasks: u32,
    /// How long each task sleeps, in milliseconds
    #[arg(long, default_value_t = 100, value_parser = cli::millis)]
    sleep_ms: u32,
    /// Worker processes in the pool (or threads with --threads)
    #[arg(long, default_value_t = 4, value_parser = cli::workers)]
    workers: u16,
    /// Use a pool of threads instead of processes
    #[arg(long)]
    threads: bool,
    #[command(flatten)]
    timeline: cli::Timeline,
    /// Run as a pool worker of process PARENT: answer `TASK X*X` to each `TASK X` on stdin
    #[arg(long, hide = true, value_name = "PARENT")]
    worker: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compute_square_squares_after_its_sleep() {
        let start = timing::now();
        assert_eq!(compute_square(12, Duration::from_millis(20)), 144);
        assert!(timing::since(start) >= 0.020);
        assert_eq!(compute_square(u32::MAX, Duration::ZERO), 18446744065119617025);
    }

    #[test]
    fn the_thread_pool_returns_results_in_input_order() {
        let numbers: Vec<u32> = (0..23).collect();
        let squares: Vec<u64> = numbers.iter().map(|&x| u64::from(x * x)).collect();
        for workers in [1, 4, 30] {
            let squared =
                pool::map_in_threads(&numbers, workers, |&x| compute_square(x, Duration::ZERO));
            assert_eq!(squared, squares);
        }
    }
}
