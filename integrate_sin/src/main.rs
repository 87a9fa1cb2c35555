//! The practical session's exercise in Rust: `slow_integrate_sin(x)` adds up
//! the integral of sin from 0 to x 10,000 times, for the twenty intervals
//! x = 0.1, 0.2, ..., 2.0; one after another, then in a pool of four worker
//! processes. The notebook printed 0.3819 s, 0.1523 s and `True`.
//!
//! The lesson: independent heavy tasks spread over a pool. One run on a
//! 2-core machine:
//!
//! ```text
//! Sequential time: 0.0846 seconds
//! Parallel time: 0.0481 seconds
//! Results are the same: true
//! ```
//!
//! `scipy`'s `quad` becomes `quadrature::integrate` (pure Rust), at scipy's
//! default tolerance. A worker takes `TASK X` lines on stdin and answers
//! `TASK RESULT`, as text that parses back to the very same f64, so the
//! comparison is exact. `--threads` runs the same pool with threads. If a
//! worker dies, the run ends at once, naming it. `procs.rs` is plumbing.

mod procs;

use std::env;
use std::io::{self, Write};
use std::process::{self, Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::thread;

use anyhow::{Context, Result, ensure};
use clap::Parser;
use procs::{Procs, number};

/// scipy's `quad` default absolute tolerance (`epsabs=1.49e-8`).
const TOLERANCE: f64 = 1.49e-8;

/// Repeat the integration `reps` times to simulate a heavy workload.
fn slow_integrate_sin(x: f64, reps: u32) -> f64 {
    let mut result = 0.0;
    for _ in 0..reps {
        let r = quadrature::integrate(f64::sin, 0.0, x, TOLERANCE).integral;
        result += r;
    }
    result
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
    let mut intervals = Vec::new();
    for i in 1..=args.tasks {
        intervals.push(0.1 * f64::from(i));
    }
    let mut out = io::stdout();

    // Sequential computation
    let start = timing::now();
    let mut results_seq = Vec::new();
    for &x in &intervals {
        results_seq.push(slow_integrate_sin(x, args.reps));
    }
    let time = timing::since(start);
    writeln!(out, "Sequential time: {time:.4} seconds")?;
    for (&x, &result) in intervals.iter().zip(&results_seq) {
        check(x, args.reps, result)?; // never call a wrong integral right
    }

    // Parallel computation
    let workers = usize::from(args.workers);
    let start = timing::now();
    let results_par = if args.threads {
        map_in_threads(&intervals, workers, args.reps)?
    } else {
        map_in_processes(&intervals, workers, args)?
    };
    let time = timing::since(start);
    writeln!(out, "Parallel time: {time:.4} seconds")?;

    writeln!(out, "Results are the same: {}", results_seq == results_par)?;
    Ok(())
}

/// A heavy integration over twenty intervals, one by one and in a pool
/// (the practical session's exercise).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// Integrals of sin added up per interval (the heavy workload)
    #[arg(long, default_value_t = 10_000, value_parser = reps)]
    reps: u32,
    /// How many intervals: x = 0.1 * i for i in 1..=TASKS (past 3984 the
    /// quadrature misses its tolerance, and the run says so)
    #[arg(long, default_value_t = 20, value_parser = tasks)]
    tasks: u32,
    /// Worker processes in the pool (or threads with --threads)
    #[arg(long, default_value_t = 4, value_parser = workers)]
    workers: u16,
    /// Use a pool of threads instead of processes
    #[arg(long)]
    threads: bool,
    /// Run as a pool worker of process PARENT: answer `TASK RESULT` to each `TASK X` on stdin
    #[arg(long, hide = true, value_name = "PARENT")]
    worker: Option<u32>,
}

/// The flags' whole numbers, each in its range (`number` is in procs.rs).
fn reps(s: &str) -> Result<u32, String> {
    number(s, 1..=100_000_000)
}

fn tasks(s: &str) -> Result<u32, String> {
    number(s, 1..=100_000)
}

fn workers(s: &str) -> Result<u16, String> {
    number(s, 1..=256)
}

/// The worker side: answer `TASK RESULT` to every `TASK X` read on stdin,
/// until the parent closes it. `{}` writes the shortest text that parses
/// back to the very same f64.
fn worker(parent: u32, args: &Args) -> Result<()> {
    procs::watch_parent(parent)?;
    let mut out = io::stdout();
    for line in io::stdin().lines() {
        let line = line.context("worker: cannot read a task")?;
        // X is one of the intervals the parent sends: 0.1 to 10000 (--tasks).
        let (task, x) = pair::<usize, f64>(&line)
            .filter(|&(_, x)| (0.0..=10_000.0).contains(&x))
            .with_context(|| {
            format!("worker: {line:?} is not a task `TASK X`, X in 0..=10000")
        })?;
        writeln!(out, "{task} {}", slow_integrate_sin(x, args.reps))?;
    }
    Ok(())
}

/// Each integral of sin from 0 to x is 1 - cos x (written 2 sin^2(x/2), with
/// no cancellation): `result` must be `reps` times that, within quad's
/// tolerance for each integral and the rounding of adding them up. Past
/// x = 398 the rule misses its tolerance (at x = 10000 it says -1130.6,
/// not 1.95), as scipy's `quad` warns it may: a run says so and fails.
fn check(x: f64, reps: u32, result: f64) -> Result<()> {
    let reps = f64::from(reps);
    let exact = 2.0 * (x / 2.0).sin().powi(2);
    let allowed = reps * TOLERANCE + reps * reps * f64::EPSILON * 2.0;
    ensure!(
        (result - reps * exact).abs() <= allowed,
        "the integral of sin from 0 to {x} came out {}, but 1 - cos x = {exact}: the quadrature \
         misses its tolerance over so long an interval (use fewer --tasks)",
        result / reps
    );
    Ok(())
}

/// A pool of threads: each takes the next interval until none is left.
fn map_in_threads(intervals: &[f64], workers: usize, reps: u32) -> Result<Vec<f64>> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(vec![0.0; intervals.len()]);
    thread::scope(|s| -> Result<()> {
        for _ in 0..workers {
            thread::Builder::new()
                .spawn_scoped(s, || {
                    loop {
                        let task = next.fetch_add(1, Relaxed);
                        let Some(&x) = intervals.get(task) else { break };
                        let result = slow_integrate_sin(x, reps);
                        results.lock().expect("no thread panics holding it")[task] = result;
                    }
                })
                .context("cannot start a thread")?;
        }
        Ok(())
    })?;
    Ok(results.into_inner().expect("no thread panics holding it"))
}

/// `with Pool(workers) as pool: pool.map(slow_integrate_sin, intervals)`:
/// each worker gets a task, and then the next one as soon as it has answered.
fn map_in_processes(intervals: &[f64], workers: usize, args: &Args) -> Result<Vec<f64>> {
    let mut procs = Procs::new();
    for _ in 0..workers.min(intervals.len()) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?; // it owes an answer for each task it is given
    }
    let mut tasks = intervals.iter().enumerate();
    let mut given = Vec::new(); // the task each worker is working on
    for i in 0..procs.children.len() {
        given.push(give(&mut procs, i, tasks.next()));
    }
    let mut results = vec![0.0; intervals.len()];
    for _ in intervals {
        let (i, answer) = procs.next_line()?; // whichever worker answers first
        let (task, result) = pair(&answer)
            .filter(|&(task, _)| Some(task) == given[i])
            .with_context(|| format!("worker {i} answered {answer:?} to task {:?}", given[i]))?;
        results[task] = result;
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
fn give(procs: &mut Procs, i: usize, task: Option<(usize, &f64)>) -> Option<usize> {
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
    command.args(["--worker", &process::id().to_string()]).args(["--reps", &args.reps.to_string()]);
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    procs::end_with_parent(&mut command); // see procs.rs
    Ok(command)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// reps x (1 - cos x), written as reps x 2 sin^2(x/2) to avoid cancellation.
    fn exact(x: f64, reps: u32) -> f64 {
        f64::from(reps) * 2.0 * (x / 2.0).sin().powi(2)
    }

    #[test]
    fn slow_integrate_sin_is_reps_times_one_minus_cos() {
        for i in 1..=20 {
            let x = 0.1 * f64::from(i);
            let relative = (slow_integrate_sin(x, 100) - exact(x, 100)).abs() / exact(x, 100);
            assert!(relative < 1e-9, "x = {x}: relative error {relative:e}");
        }
    }

    #[test]
    fn a_wrong_integral_is_caught_and_a_right_one_passes() {
        assert!(check(398.4, 3, slow_integrate_sin(398.4, 3)).is_ok());
        let err = check(10_000.0, 1, slow_integrate_sin(10_000.0, 1)).unwrap_err();
        assert!(err.to_string().starts_with("the integral of sin from 0 to 10000 came out"));
        assert!(check(1.0, 10_000, exact(1.0, 10_000) * (1.0 + 1e-7)).is_err());
    }

    #[test]
    fn the_thread_pool_returns_results_in_input_order() {
        let intervals: Vec<f64> = (1..=9).map(|i| 0.1 * f64::from(i)).collect();
        let expected: Vec<f64> = intervals.iter().map(|&x| slow_integrate_sin(x, 3)).collect();
        for workers in [1, 4, 30] {
            assert_eq!(map_in_threads(&intervals, workers, 3).unwrap(), expected);
        }
    }

    #[test]
    fn a_task_needs_a_finite_interval() {
        assert_eq!(pair::<usize, f64>("2 0.5"), Some((2, 0.5)));
        assert!(pair::<usize, f64>("2 inf").is_some_and(|(_, x)| !x.is_finite()));
        assert_eq!(pair::<usize, f64>("0.5"), None);
    }

    #[test]
    fn the_answer_text_parses_back_to_the_same_f64() {
        let value = slow_integrate_sin(1.3, 7);
        assert_eq!(format!("{value}").parse::<f64>().unwrap().to_bits(), value.to_bits());
    }
}
