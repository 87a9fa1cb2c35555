//! The practical session's first example in Rust: `compute_square(x)` sleeps
//! 0.1 s and returns `x * x`; ten of them one after another, then in a pool
//! of four worker processes (`Pool(4).map`). The notebook printed 1.00, 0.32
//! and `True`.
//!
//! The lesson: while a task waits, another can run. Four workers finish ten
//! 0.1 s tasks in ceil(10 / 4) = 3 rounds, 0.30 s; the pool's overhead is
//! what goes beyond. One run on a 2-core machine:
//!
//! ```text
//! Sequential time: 1.00 seconds
//! Parallel time: 0.31 seconds
//! Results are the same: true
//! ```
//!
//! A worker takes `TASK X` lines on stdin and answers `TASK SQUARE`; results
//! come back in input order, as from `Pool.map`. `--threads` runs the same
//! pool with threads. If a worker dies, the run ends at once with an error
//! naming it (Python's `Pool` waits forever). `procs.rs` is plumbing.

mod procs;

use std::env;
use std::io::{self, Write};
use std::process::{self, Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Parser;
use procs::{Procs, number};

/// Simulate an expensive computation. (A u32 squared always fits in a u64.)
fn compute_square(x: u32, sleep: Duration) -> u64 {
    thread::sleep(sleep);
    u64::from(x) * u64::from(x)
}

fn main() -> ExitCode {
    procs::end_on_panic();
    let args = Args::parse();
    procs::exit(match args.worker {
        Some(parent) => worker(parent, &args),
        None => run(&args),
    })
}

/// The notebook cell.
fn run(args: &Args) -> Result<()> {
    timing::warn_if_unoptimised();
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
    let start = timing::now();
    let results_par = if args.threads {
        map_in_threads(&numbers, workers, sleep)?
    } else {
        map_in_processes(&numbers, workers, args)?
    };
    let time = timing::since(start);
    writeln!(out, "Parallel time: {time:.2} seconds")?;

    writeln!(out, "Results are the same: {}", results_seq == results_par)?;
    Ok(())
}

/// Ten sleeping tasks, one by one and in a pool (the practical session's squares).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// How many tasks: the numbers 0, 1, ..., TASKS - 1
    #[arg(long, default_value_t = 10, value_parser = tasks)]
    tasks: u32,
    /// How long each task sleeps, in milliseconds
    #[arg(long, default_value_t = 100, value_parser = sleep_ms)]
    sleep_ms: u32,
    /// Worker processes in the pool (or threads with --threads)
    #[arg(long, default_value_t = 4, value_parser = workers)]
    workers: u16,
    /// Use a pool of threads instead of processes
    #[arg(long)]
    threads: bool,
    /// Run as a pool worker of process PARENT: answer `TASK X*X` to each `TASK X` on stdin
    #[arg(long, hide = true, value_name = "PARENT")]
    worker: Option<u32>,
}

/// The flags' whole numbers, each in its range (`number` is in procs.rs).
fn tasks(s: &str) -> Result<u32, String> {
    number(s, 1..=100_000)
}

fn sleep_ms(s: &str) -> Result<u32, String> {
    number(s, 0..=60_000)
}

fn workers(s: &str) -> Result<u16, String> {
    number(s, 1..=256)
}

/// The worker side: answer `TASK X*X` to every `TASK X` read on stdin, until
/// the parent closes it.
fn worker(parent: u32, args: &Args) -> Result<()> {
    procs::watch_parent(parent)?;
    let sleep = Duration::from_millis(u64::from(args.sleep_ms));
    let mut out = io::stdout();
    for line in io::stdin().lines() {
        let line = line.context("worker: cannot read a task")?;
        // X is one of the numbers the parent sends: 0 to 99999 (--tasks).
        let (task, x): (usize, u32) = pair(&line)
            .filter(|&(_, x)| x < 100_000)
            .with_context(|| format!("worker: {line:?} is not a task `TASK X`, X in 0..=99999"))?;
        writeln!(out, "{task} {}", compute_square(x, sleep))?;
    }
    Ok(())
}

/// A pool of threads: each takes the next number until none is left.
fn map_in_threads(numbers: &[u32], workers: usize, sleep: Duration) -> Result<Vec<u64>> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(vec![0; numbers.len()]);
    thread::scope(|s| -> Result<()> {
        for _ in 0..workers {
            thread::Builder::new()
                .spawn_scoped(s, || {
                    loop {
                        let task = next.fetch_add(1, Relaxed);
                        let Some(&x) = numbers.get(task) else { break };
                        let square = compute_square(x, sleep);
                        results.lock().expect("no thread panics holding it")[task] = square;
                    }
                })
                .context("cannot start a thread")?;
        }
        Ok(())
    })?;
    Ok(results.into_inner().expect("no thread panics holding it"))
}

/// `with Pool(workers) as pool: pool.map(compute_square, numbers)`: each
/// worker gets a task, and then the next one as soon as it has answered.
fn map_in_processes(numbers: &[u32], workers: usize, args: &Args) -> Result<Vec<u64>> {
    let mut procs = Procs::new();
    for _ in 0..workers.min(numbers.len()) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?; // it owes an answer for each task it is given
    }
    let mut tasks = numbers.iter().enumerate();
    let mut given = Vec::new(); // the task each worker is working on
    for i in 0..procs.children.len() {
        given.push(give(&mut procs, i, tasks.next()));
    }
    let mut results = vec![0; numbers.len()];
    for _ in numbers {
        let (i, answer) = procs.next_line()?; // whichever worker answers first
        let (task, square) = pair(&answer)
            .filter(|&(task, _)| Some(task) == given[i])
            .with_context(|| format!("worker {i} answered {answer:?} to task {:?}", given[i]))?;
        results[task] = square;
        given[i] = give(&mut procs, i, tasks.next());
    }
    // The `with` block ends: closing their stdin tells the workers to exit.
    for worker in &mut procs.children {
        drop(worker.stdin.take());
    }
    procs.join()?;
    Ok(results)
}

/// Sends worker `i` its next task, `TASK X`, if one is left, and says which.
fn give(procs: &mut Procs, i: usize, task: Option<(usize, &u32)>) -> Option<usize> {
    let (task, x) = task?;
    procs.tell(i, &format!("{task} {x}"));
    Some(task)
}

/// Two numbers on one line, `A B`.
fn pair<A: std::str::FromStr, B: std::str::FromStr>(line: &str) -> Option<(A, B)> {
    let (a, b) = line.trim().split_once(' ')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// This same program, started again as a pool worker of this process (what
/// Python's `spawn` does): `--worker PARENT` tells `main` to run `worker`.
/// Its tasks go in through its stdin, its answers come back on its stdout,
/// and its stderr says why, if it fails: three pipes.
fn worker_command(args: &Args) -> Result<Command> {
    let exe = env::current_exe().context("cannot find this program to start a worker")?;
    let mut command = Command::new(exe);
    command
        .args(["--worker", &process::id().to_string()])
        .args(["--sleep-ms", &args.sleep_ms.to_string()]);
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    procs::end_with_parent(&mut command); // see procs.rs
    Ok(command)
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
            assert_eq!(map_in_threads(&numbers, workers, Duration::ZERO).unwrap(), squares);
        }
    }

    #[test]
    fn a_task_line_is_two_numbers() {
        assert_eq!(pair::<usize, u32>("3 9\n"), Some((3, 9)));
        assert_eq!(pair::<usize, u32>("7"), None);
        assert_eq!(pair::<usize, u32>("0 4294967296"), None, "too large for a u32");
        assert_eq!(pair::<usize, u32>("1 -2"), None);
    }
}
