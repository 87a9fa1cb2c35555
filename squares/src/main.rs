//! The practical session's first example in Rust: `compute_square(x)` sleeps
//! 0.1 s and returns `x * x`; ten of them one after another, then in a pool
//! of four worker processes. The notebook printed 1.00, 0.32 and `True`:
//!
//! ```text
//! Sequential time: 1.00 seconds
//! Parallel time: 0.30 seconds
//! Results are the same: true
//! ```
//!
//! The lesson: while a task waits, another can run. Four workers finish ten
//! 0.1 s tasks in ceil(10 / 4) = 3 rounds, 0.30 s; the pool's overhead is what
//! goes beyond. Like `Pool.map`, each worker is long-lived and takes the next
//! task as soon as it has answered the last, and the results come back in the
//! order of the inputs. A worker is this same program started with a hidden
//! `--worker`: it reads numbers on stdin and answers their squares on stdout.
//! `--threads` runs the same pool with threads. If a worker dies, the run ends
//! with an error naming it (Python's `Pool` would wait for it forever).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Parser;

/// Ten sleeping tasks, one by one and in a pool (the practical session's squares).
#[derive(Parser)]
struct Args {
    /// How many tasks: the numbers 0, 1, ..., TASKS - 1
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=100_000), allow_hyphen_values = true)]
    tasks: u64,
    /// How long each task sleeps, in milliseconds
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(0..=60_000), allow_hyphen_values = true)]
    sleep_ms: u64,
    /// Worker processes in the pool (or threads with --threads)
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    workers: u16,
    /// Use a pool of threads instead of processes
    #[arg(long)]
    threads: bool,
    /// Run as a pool worker: square each number read on stdin
    #[arg(long, hide = true)]
    worker: bool,
}

/// Simulate an expensive computation.
fn compute_square(x: u64, sleep: Duration) -> u64 {
    thread::sleep(sleep);
    x * x
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
    let numbers: Vec<u64> = (0..args.tasks).collect();
    let sleep = Duration::from_millis(args.sleep_ms);

    // Sequential computation
    let (results_seq, time) = timing::time(|| {
        let mut results_seq = Vec::new();
        for &x in &numbers {
            results_seq.push(compute_square(x, sleep));
        }
        results_seq
    });
    println!("Sequential time: {:.2} seconds", time.as_secs_f64());

    // Parallel computation (pool.map returns the results in input order)
    let workers = usize::from(args.workers);
    let (results_par, time) = timing::time(|| {
        if args.threads {
            Ok(map_in_threads(&numbers, workers, sleep))
        } else {
            map_in_processes(&numbers, workers, args)
        }
    });
    let results_par = results_par?;
    println!("Parallel time: {:.2} seconds", time.as_secs_f64());

    println!("Results are the same: {}", results_seq == results_par);
    Ok(())
}

/// The worker side: square every number read on stdin, one answer a line.
fn worker(args: &Args) -> Result<()> {
    let sleep = Duration::from_millis(args.sleep_ms);
    for line in std::io::stdin().lines() {
        let line = line.context("worker: cannot read a task")?;
        let x = line
            .trim()
            .parse()
            .with_context(|| format!("worker: bad task {line:?}"))?;
        println!("{}", compute_square(x, sleep)); // stdout is flushed at each newline
    }
    Ok(())
}

/// A pool of threads: each takes the next number until none is left.
fn map_in_threads(numbers: &[u64], workers: usize, sleep: Duration) -> Vec<u64> {
    let next = AtomicUsize::new(0);
    let answers: Vec<Vec<(usize, u64)>> = thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Relaxed);
                        let Some(&x) = numbers.get(index) else { break };
                        done.push((index, compute_square(x, sleep)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("compute_square cannot panic"))
            .collect()
    });
    in_input_order(numbers.len(), answers)
}

/// `with Pool(workers) as pool: pool.map(compute_square, numbers)`: start the
/// worker processes, and feed each one from its own thread here, the next
/// number as soon as it has answered the last.
fn map_in_processes(numbers: &[u64], workers: usize, args: &Args) -> Result<Vec<u64>> {
    let mut pool = Workers(Vec::new());
    for _ in 0..workers {
        pool.0.push(start_worker(args)?);
    }
    let next = &AtomicUsize::new(0);
    let answers: Vec<Result<Vec<(usize, u64)>>> = thread::scope(|s| {
        let handles: Vec<_> = pool
            .0
            .iter_mut()
            .enumerate()
            .map(|(i, child)| s.spawn(move || feed(i, child, numbers, next)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("feed cannot panic"))
            .collect()
    });
    let answers = answers.into_iter().collect::<Result<_>>()?;
    Ok(in_input_order(numbers.len(), answers))
}

/// Sends worker `i` task after task until none is left, reading each answer
/// before taking the next task. Returns (index, square) pairs.
fn feed(
    i: usize,
    child: &mut Child,
    numbers: &[u64],
    next: &AtomicUsize,
) -> Result<Vec<(usize, u64)>> {
    let mut to_worker = child.stdin.take().expect("stdin is piped");
    let mut from_worker = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut done = Vec::new();
    loop {
        let index = next.fetch_add(1, Relaxed);
        let Some(&x) = numbers.get(index) else { break };
        let mut answer = String::new();
        let sent = writeln!(to_worker, "{x}").and_then(|()| from_worker.read_line(&mut answer));
        if !matches!(sent, Ok(n) if n > 0) {
            // The worker is gone: hand out no more tasks, and say how it ended.
            next.store(numbers.len(), Relaxed);
            let status = child
                .wait()
                .with_context(|| format!("cannot wait for worker {i}"))?;
            bail!("worker {i} failed: {status}, with task {x} unanswered");
        }
        let square = answer.trim().parse();
        done.push((
            index,
            square.with_context(|| format!("worker {i} answered {answer:?}, not a number"))?,
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
fn in_input_order(len: usize, answers: Vec<Vec<(usize, u64)>>) -> Vec<u64> {
    let mut results = vec![0; len];
    for (index, result) in answers.into_iter().flatten() {
        results[index] = result;
    }
    results
}

/// Starts this same program as a pool worker.
fn start_worker(args: &Args) -> Result<Child> {
    let exe = std::env::current_exe().context("cannot find this program to start a worker")?;
    Command::new(exe)
        .args(["--worker", "--sleep-ms", &args.sleep_ms.to_string()])
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

    #[test]
    fn compute_square_squares_after_its_sleep() {
        let (square, time) = timing::time(|| compute_square(12, Duration::from_millis(20)));
        assert_eq!(square, 144);
        assert!(time >= Duration::from_millis(20));
    }

    #[test]
    fn the_thread_pool_returns_results_in_input_order() {
        let numbers: Vec<u64> = (0..23).collect();
        let squares: Vec<u64> = numbers.iter().map(|x| x * x).collect();
        for workers in [1, 4, 30] {
            assert_eq!(map_in_threads(&numbers, workers, Duration::ZERO), squares);
        }
    }

    #[test]
    fn answers_are_put_back_in_input_order() {
        let answers = vec![vec![(2, 4), (0, 0)], vec![], vec![(1, 1)]];
        assert_eq!(in_input_order(3, answers), [0, 1, 4]);
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
        let err = feed(2, &mut dead, &[7, 8], &next).unwrap_err();
        assert_eq!(
            format!("{err:#}"),
            "worker 2 failed: exit status: 3, with task 7 unanswered"
        );
        assert_eq!(next.load(Relaxed), 2, "no more tasks are handed out");
    }
}
