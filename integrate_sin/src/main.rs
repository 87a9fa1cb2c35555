//! The practical session's exercise in Rust: `slow_integrate_sin(x)` adds up
//! the integral of sin from 0 to x 10,000 times, for the twenty intervals
//! x = 0.1, 0.2, ..., 2.0; one after another, then in a pool of four worker
//! processes. The notebook printed 0.3819 s, 0.1523 s and `True`; here (one
//! run on a 2-core machine):
//!
//! ```text
//! Sequential time: 0.0878 seconds
//! Parallel time: 0.0474 seconds
//! Results are the same: true
//! ```
//!
//! The lesson: independent heavy tasks spread over a pool. `scipy`'s `quad`
//! becomes `quadrature::integrate` (double-exponential rule, pure Rust), at
//! scipy's default tolerance. Like `Pool.map`, each worker is long-lived and
//! takes the next interval as soon as it has answered the last, and the
//! results come back in input order. A worker is this same program started
//! with a hidden `--worker`: it reads intervals on stdin and answers on
//! stdout, as text that parses back to the very same f64, so the comparison
//! is exact. `--threads` runs the same pool with threads. If a worker dies,
//! the run ends with an error naming it (Python's `Pool` would wait forever).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::thread;

use anyhow::{Context, Result, bail};
use clap::Parser;

/// scipy's `quad` default absolute tolerance (`epsabs=1.49e-8`).
const TOLERANCE: f64 = 1.49e-8;

/// A heavy integration over twenty intervals, one by one and in a pool
/// (the practical session's exercise).
#[derive(Parser)]
struct Args {
    /// Integrals of sin added up per interval (the heavy workload)
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=100_000_000), allow_hyphen_values = true)]
    reps: u32,
    /// How many intervals: x = 0.1 * i for i in 1..=TASKS
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100_000), allow_hyphen_values = true)]
    tasks: u32,
    /// Worker processes in the pool (or threads with --threads)
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    workers: u16,
    /// Use a pool of threads instead of processes
    #[arg(long)]
    threads: bool,
    /// Run as a pool worker: integrate for each interval read on stdin
    #[arg(long, hide = true)]
    worker: bool,
}

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
    let args = Args::parse();
    let result = if args.worker {
        worker(&args)
    } else {
        run(&args)
    };
    // Any failure ends in one line, like clap's errors, and exit code 1.
    if let Err(err) = result {
        eprintln!("error: {err:#}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// The notebook cell.
fn run(args: &Args) -> Result<()> {
    let mut intervals = Vec::new();
    for i in 1..=args.tasks {
        intervals.push(0.1 * f64::from(i));
    }

    // Sequential computation
    let (results_seq, time) = timing::time(|| {
        let mut results_seq = Vec::new();
        for &x in &intervals {
            results_seq.push(slow_integrate_sin(x, args.reps));
        }
        results_seq
    });
    println!("Sequential time: {:.4} seconds", time.as_secs_f64());

    // Parallel computation
    let workers = usize::from(args.workers);
    let (results_par, time) = timing::time(|| {
        if args.threads {
            Ok(map_in_threads(&intervals, workers, args.reps))
        } else {
            map_in_processes(&intervals, workers, args)
        }
    });
    let results_par = results_par?;
    println!("Parallel time: {:.4} seconds", time.as_secs_f64());

    println!("Results are the same: {}", results_seq == results_par);
    Ok(())
}

/// The worker side: integrate for every interval read on stdin, one answer a
/// line, written with `{:?}`: the shortest text that parses back to the same f64.
fn worker(args: &Args) -> Result<()> {
    for line in std::io::stdin().lines() {
        let line = line.context("worker: cannot read a task")?;
        let x = line
            .trim()
            .parse()
            .with_context(|| format!("worker: bad task {line:?}"))?;
        println!("{:?}", slow_integrate_sin(x, args.reps)); // flushed at each newline
    }
    Ok(())
}

/// A pool of threads: each takes the next interval until none is left.
fn map_in_threads(intervals: &[f64], workers: usize, reps: u32) -> Vec<f64> {
    let next = AtomicUsize::new(0);
    let answers: Vec<Vec<(usize, f64)>> = thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Relaxed);
                        let Some(&x) = intervals.get(index) else {
                            break;
                        };
                        done.push((index, slow_integrate_sin(x, reps)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("slow_integrate_sin cannot panic"))
            .collect()
    });
    in_input_order(intervals.len(), answers)
}

/// `with Pool(workers) as pool: pool.map(slow_integrate_sin, intervals)`: start the
/// worker processes, and feed each one from its own thread here, the next
/// interval as soon as it has answered the last.
fn map_in_processes(intervals: &[f64], workers: usize, args: &Args) -> Result<Vec<f64>> {
    let mut pool = Workers(Vec::new());
    for _ in 0..workers {
        pool.0.push(start_worker(args)?);
    }
    let next = &AtomicUsize::new(0);
    let answers: Vec<Result<Vec<(usize, f64)>>> = thread::scope(|s| {
        let handles: Vec<_> = pool
            .0
            .iter_mut()
            .enumerate()
            .map(|(i, child)| s.spawn(move || feed(i, child, intervals, next)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("feed cannot panic"))
            .collect()
    });
    let answers = answers.into_iter().collect::<Result<_>>()?;
    Ok(in_input_order(intervals.len(), answers))
}

/// Sends worker `i` task after task until none is left, reading each answer
/// before taking the next task. Returns (index, result) pairs.
fn feed(
    i: usize,
    child: &mut Child,
    intervals: &[f64],
    next: &AtomicUsize,
) -> Result<Vec<(usize, f64)>> {
    let mut to_worker = child.stdin.take().expect("stdin is piped");
    let mut from_worker = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut done = Vec::new();
    loop {
        let index = next.fetch_add(1, Relaxed);
        let Some(&x) = intervals.get(index) else {
            break;
        };
        let mut answer = String::new();
        let sent = writeln!(to_worker, "{x:?}").and_then(|()| from_worker.read_line(&mut answer));
        if !matches!(sent, Ok(n) if n > 0) {
            // The worker is gone: hand out no more tasks, and say how it ended.
            next.store(intervals.len(), Relaxed);
            let status = child
                .wait()
                .with_context(|| format!("cannot wait for worker {i}"))?;
            bail!("worker {i} failed: {status}, with task {x} unanswered");
        }
        let integral = answer.trim().parse();
        done.push((
            index,
            integral.with_context(|| format!("worker {i} answered {answer:?}, not a number"))?,
        ));
    }
    drop(to_worker); // end of input: the worker's loop ends and it exits
    let status = child
        .wait()
        .with_context(|| format!("cannot wait for worker {i}"))?;
    if !status.success() {
        bail!("worker {i} failed: {status}");
    }
    Ok(done)
}

/// Puts the (index, result) pairs that the workers return back in input order.
fn in_input_order(len: usize, answers: Vec<Vec<(usize, f64)>>) -> Vec<f64> {
    let mut results = vec![0.0; len];
    for (index, result) in answers.into_iter().flatten() {
        results[index] = result;
    }
    results
}

/// Starts this same program as a pool worker.
fn start_worker(args: &Args) -> Result<Child> {
    let exe = std::env::current_exe().context("cannot find this program to start a worker")?;
    Command::new(exe)
        .args(["--worker", "--reps", &args.reps.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start a worker process")
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
    fn the_thread_pool_returns_results_in_input_order() {
        let intervals: Vec<f64> = (1..=9).map(|i| 0.1 * f64::from(i)).collect();
        let expected: Vec<f64> = intervals
            .iter()
            .map(|&x| slow_integrate_sin(x, 3))
            .collect();
        for workers in [1, 4, 30] {
            assert_eq!(map_in_threads(&intervals, workers, 3), expected);
        }
    }

    #[test]
    fn the_answer_text_parses_back_to_the_same_f64() {
        let value = slow_integrate_sin(1.3, 7);
        assert_eq!(
            format!("{value:?}").parse::<f64>().unwrap().to_bits(),
            value.to_bits()
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_worker_that_dies_is_named_and_not_waited_for() {
        let mut dead = Command::new("sh")
            .args(["-c", "exit 3"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let next = AtomicUsize::new(0);
        let err = feed(2, &mut dead, &[0.5, 0.25], &next).unwrap_err();
        assert_eq!(
            format!("{err:#}"),
            "worker 2 failed: exit status: 3, with task 0.5 unanswered"
        );
        assert_eq!(next.load(Relaxed), 2, "no more tasks are handed out");
    }
}
