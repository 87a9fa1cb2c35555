//! The practical session's exercise in Rust: `slow_integrate_sin(x)` adds up
//! the integral of sin from 0 to x 10,000 times, for the twenty intervals
//! x = 0.1, 0.2, ..., 2.0; one after another, then in a pool of four worker
//! processes. The notebook printed 0.3819 s, 0.1523 s and `True`.
//!
//! The lesson: independent heavy tasks spread over a pool. On 2 cores:
//!
//! ```text
//! Sequential time: 0.0846 seconds
//! Parallel time: 0.0481 seconds
//! Results are the same: true
//! ```
//!
//! `quad` becomes `quadrature::integrate`, at scipy's tolerance; results are
//! compared bit for bit (docs/lessons.md, "integrate_sin").

mod cli;
mod exact;
mod pool;
mod procs;

use std::io::{self, Write};
use std::process::{self, Command, ExitCode, Stdio};

use anyhow::{Context, Result};
use clap::Parser;
use procs::Procs;

/// scipy's `quad` default absolute tolerance (`epsabs=1.49e-8`).
pub const TOLERANCE: f64 = 1.49e-8;

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
    cli::end_on_panic();
    let args = Args::parse();
    cli::exit(if let Some(parent) = args.worker { worker(parent, &args) } else { run(&args) })
}

/// The notebook cell.
fn run(args: &Args) -> Result<()> {
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
    exact::check_all(&intervals, args.reps, &results_seq)?; // never call a wrong one right

    // Parallel computation
    let workers = usize::from(args.workers);
    let start = timing::record(); // and the timeline: who did which task when
    let results_par = match args.threads {
        true => pool::map_in_threads(&intervals, workers, |&x| slow_integrate_sin(x, args.reps)),
        false => map_in_processes(&intervals, workers, args)?,
    };
    let time = timing::since(start);
    writeln!(out, "Parallel time: {time:.4} seconds")?;

    writeln!(out, "Results are the same: {}", results_seq == results_par)?;
    let kind = if args.threads { "thread" } else { "process" };
    timing::finish(&cli::plural(workers, kind)).print(&mut out, args.timeline.svg())?;
    Ok(())
}

/// `with Pool(workers) as pool: pool.map(slow_integrate_sin, intervals)`: a
/// task for each worker process, and the next as soon as it has answered.
fn map_in_processes(intervals: &[f64], workers: usize, args: &Args) -> Result<Vec<f64>> {
    let mut procs = Procs::new();
    for _ in 0..workers.min(intervals.len()) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?; // it owes an answer for each task it is given
    }
    let mut tasks = intervals.iter().enumerate();
    for i in 0..procs.children.len() {
        procs.give(i, tasks.next()); // `TASK X` on its stdin
    }
    let mut results = vec![0.0; intervals.len()];
    for _ in intervals {
        let (i, task, result) = procs.next_answer()?; // whichever answers first
        results[task] = result;
        procs.give(i, tasks.next()); // and its next task, if one is left
    }
    procs.close()?; // the `with` block ends: the workers exit
    Ok(results)
}

/// The worker side: `TASK RESULT` to every `TASK X` on stdin, X in 0..=10000
/// (--tasks). `{}` writes the shortest text that parses back to the same f64.
fn worker(parent: u32, args: &Args) -> Result<()> {
    procs::watch_parent(parent)?;
    let takes = |x: f64| (0.0..=10_000.0).contains(&x);
    procs::answer_tasks(|_, x: f64| takes(x).then(|| slow_integrate_sin(x, args.reps)))
}

/// This same program, started again as a worker (Python's `spawn`): tasks in
/// on stdin, answers out on stdout, failures on stderr; `main` runs `worker`.
fn worker_command(args: &Args) -> Result<Command> {
    let exe = std::env::current_exe().context("cannot find this program to start a worker")?;
    let mut command = Command::new(exe);
    command.args(["--worker", &process::id().to_string()]);
    command.args(["--reps", &args.reps.to_string()]);
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    procs::end_with_parent(&mut command); // see procs.rs
    Ok(command)
}

/// A heavy integration over twenty intervals, one by one and in a pool
/// (the practical session's exercise).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// Integrals of sin added up per interval (the heavy workload)
    #[arg(long, default_value_t = 10_000, value_parser = cli::reps)]
    reps: u32,
    /// How many intervals: x = 0.1 * i for i in 1..=TASKS (past 3984 the
    /// quadrature misses its tolerance, and the run says so)
    #[arg(long, default_value_t = 20, value_parser = cli::tasks)]
    tasks: u32,
    /// Worker processes in the pool (or threads with --threads)
    #[arg(long, default_value_t = 4, value_parser = cli::workers)]
    workers: u16,
    /// Use a pool of threads instead of processes
    #[arg(long)]
    threads: bool,
    #[command(flatten)]
    timeline: cli::Timeline,
    /// Run as a pool worker of process PARENT: answer `TASK RESULT` to each `TASK X` on stdin
    #[arg(long, hide = true, value_name = "PARENT")]
    worker: Option<u32>,
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
        assert!(exact::check(398.4, 3, slow_integrate_sin(398.4, 3)).is_ok());
        let err = exact::check(10_000.0, 1, slow_integrate_sin(10_000.0, 1)).unwrap_err();
        assert!(err.to_string().starts_with("the integral of sin from 0 to 10000 came out"));
        assert!(exact::check(1.0, 10_000, exact(1.0, 10_000) * (1.0 + 1e-7)).is_err());
    }

    #[test]
    fn the_thread_pool_returns_results_in_input_order() {
        let intervals: Vec<f64> = (1..=9).map(|i| 0.1 * f64::from(i)).collect();
        let expected: Vec<f64> = intervals.iter().map(|&x| slow_integrate_sin(x, 3)).collect();
        for workers in [1, 4, 30] {
            assert_eq!(
                pool::map_in_threads(&intervals, workers, |&x| slow_integrate_sin(x, 3)),
                expected
            );
        }
    }

    #[test]
    fn the_answer_text_parses_back_to_the_same_f64() {
        let value = slow_integrate_sin(1.3, 7);
        assert_eq!(format!("{value}").parse::<f64>().unwrap().to_bits(), value.to_bits());
    }
}
