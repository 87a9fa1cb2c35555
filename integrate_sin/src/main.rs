//! The practical session's exercise in Rust: `slow_integrate_sin(x)` adds up
//! the integral of sin from 0 to x 10,000 times, for the twenty intervals
//! x = 0.1, 0.2, ..., 2.0; one after another, then in a pool of four worker
//! processes. The notebook printed 0.3819 s, 0.1523 s and `True`; here (one
//! run on a 2-core machine):
//!
//! ```text
//! Sequential time: 0.0375 seconds
//! Parallel time: 0.0277 seconds
//! Results are the same: true
//! ```
//!
//! The lesson: independent heavy tasks spread over a pool. `scipy`'s `quad`
//! becomes `quadrature::integrate` (double-exponential rule, pure Rust), at
//! scipy's default tolerance. Like `Pool.map`, each worker is long-lived and
//! takes the next interval as soon as it has answered the last, and the
//! results come back in input order. A worker is this same program started
//! with a hidden `--worker`: it reads `TASK X` lines on stdin and answers
//! `TASK RESULT`, as text that parses back to the very same f64, so the
//! comparison is exact. `--threads` runs the same pool with threads. If a worker dies,
//! the run ends at once with an error naming it (Python's `Pool` would wait forever).

use std::io::{self, BufRead, BufReader, Write};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
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
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256), allow_hyphen_values = true)]
    workers: u16,
    /// Use a pool of threads instead of processes
    #[arg(long)]
    threads: bool,
    /// Run as a pool worker of process PARENT: answer `TASK RESULT` to each `TASK X` on stdin
    #[arg(long, hide = true, value_name = "PARENT")]
    worker: Option<u32>,
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
    let result = match args.worker {
        Some(parent) => worker(parent, &args),
        None => run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `| head` stopped reading, or a worker's parent has gone: nobody to tell.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The notebook cell.
fn run(args: &Args) -> Result<()> {
    if cfg!(debug_assertions) {
        // Cargo's default dev profile: a copy that left [profile.dev] behind.
        eprintln!("warning: built without optimisation: the times below are up to 10x too slow");
    }
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

/// The worker side: answer `TASK RESULT` to every `TASK X` read on stdin,
/// until the parent closes it. `{}` writes the shortest text that parses
/// back to the very same f64.
fn worker(parent: u32, args: &Args) -> Result<()> {
    watch_parent(parent)?;
    let mut out = io::stdout();
    for line in io::stdin().lines() {
        let line = line.context("worker: cannot read a task")?;
        let (task, x) = pair::<usize, f64>(&line)
            .filter(|(_, x)| x.is_finite())
            .with_context(|| format!("worker: {line:?} is not a task `TASK X` with a finite X"))?;
        writeln!(out, "{task} {}", slow_integrate_sin(x, args.reps))?;
    }
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
        procs.start(worker_command(args)?)?;
    }
    let mut tasks = intervals.iter().enumerate();
    let mut given = Vec::new(); // the task each worker is working on
    for i in 0..procs.children.len() {
        given.push(give(&mut procs.children[i], tasks.next()));
    }
    let mut results = vec![0.0; intervals.len()];
    for _ in intervals {
        let (i, answer) = procs.next_line()?; // whichever worker answers first
        let (task, result) = pair(&answer)
            .filter(|&(task, _)| Some(task) == given[i])
            .with_context(|| format!("worker {i} answered {answer:?} to task {:?}", given[i]))?;
        results[task] = result;
        given[i] = give(&mut procs.children[i], tasks.next());
    }
    // The `with` block ends: closing their stdin tells the workers to exit.
    for worker in &mut procs.children {
        drop(worker.stdin.take());
    }
    procs.join()?;
    Ok(results)
}

/// Sends a worker its next task, if one is left, and says which.
fn give(worker: &mut Child, task: Option<(usize, &f64)>) -> Option<usize> {
    let (task, x) = task?;
    let stdin = worker.stdin.as_mut().expect("stdin is piped");
    // A worker that has died cannot take it: `next_line` reports its end.
    let _ = writeln!(stdin, "{task} {x}");
    Some(task)
}

/// Two numbers on one line, `A B`.
fn pair<A: std::str::FromStr, B: std::str::FromStr>(line: &str) -> Option<(A, B)> {
    let (a, b) = line.trim().split_once(' ')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// This same program as a pool worker, its tasks and answers through pipes.
fn worker_command(args: &Args) -> Result<Command> {
    let exe = std::env::current_exe().context("cannot find this program to start a worker")?;
    let mut command = Command::new(exe);
    command
        .args(["--worker", &std::process::id().to_string()])
        .args(["--reps", &args.reps.to_string()])
        .stdin(Stdio::piped());
    Ok(command)
}

/// Ends this worker, quietly, as soon as its parent has gone (killed, Ctrl-C,
/// stopped from an IDE), whatever the worker is doing: no worker outlives its
/// run. The parent passed its pid, so a worker whose parent died before it
/// even started sees that at the first look.
fn watch_parent(parent: u32) -> Result<()> {
    thread::Builder::new()
        .spawn(move || {
            while is_parent(parent) {
                thread::sleep(Duration::from_millis(50));
            }
            std::process::exit(1);
        })
        .context("worker: cannot start a thread to watch its parent")?;
    Ok(())
}

/// Is `parent` still this process's parent? An orphan gets a new one.
#[cfg(unix)]
fn is_parent(parent: u32) -> bool {
    std::os::unix::process::parent_id() == parent
}

/// Is the parent still running? (Windows keeps no parent for a process.)
#[cfg(windows)]
fn is_parent(parent: u32) -> bool {
    use windows_sys::Win32::Foundation::{CloseHandle, WAIT_TIMEOUT};
    use windows_sys::Win32::System::Threading::{
        OpenProcess, PROCESS_SYNCHRONIZE, WaitForSingleObject,
    };
    // SAFETY: the handle is checked before use and closed once, here.
    unsafe {
        let process = OpenProcess(PROCESS_SYNCHRONIZE, 0, parent);
        if process.is_null() {
            return false; // gone (or never ours)
        }
        let running = WaitForSingleObject(process, 0) == WAIT_TIMEOUT;
        CloseHandle(process);
        running
    }
}

/// Was this a write to a pipe whose reader has gone (`| head`, or a dead parent)?
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.downcast_ref::<io::Error>()
        .is_some_and(|err| err.kind() == io::ErrorKind::BrokenPipe)
}

/// The worker processes of this run (`procs` in the Python). A thread per
/// worker reads its stdout and passes each line on as it comes, so the parent
/// hears from whichever worker answers, or ends, first. Dropping `Procs` kills
/// and reaps every worker still running: whatever goes wrong, none is left.
struct Procs {
    children: Vec<Child>,
    running: usize,
    lines: Receiver<(usize, Option<String>)>,
    sender: Sender<(usize, Option<String>)>,
}

impl Procs {
    fn new() -> Procs {
        let (sender, lines) = mpsc::channel();
        let children = Vec::new();
        Procs {
            children,
            running: 0,
            lines,
            sender,
        }
    }

    /// Starts `command` as the next worker, with a thread reading its stdout.
    fn start(&mut self, mut command: Command) -> Result<&mut Child> {
        let i = self.children.len();
        let child = command.stdout(Stdio::piped()).spawn();
        self.children
            .push(child.context("cannot start a worker process")?);
        let stdout = self.children[i].stdout.take().expect("stdout is piped");
        let sender = self.sender.clone();
        thread::Builder::new()
            .spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    let _ = sender.send((i, Some(line)));
                }
                let _ = sender.send((i, None)); // its stdout closed: it has ended
            })
            .context("cannot start a thread to read a worker's answers")?;
        self.running += 1;
        Ok(&mut self.children[i])
    }

    /// The next line any worker prints, and which worker printed it. A worker
    /// that fails first is an error that names it and says how it ended.
    fn next_line(&mut self) -> Result<(usize, String)> {
        while self.running > 0 {
            match self.lines.recv().expect("Procs holds a sender") {
                (i, Some(line)) => return Ok((i, line)),
                (i, None) => self.ended(i)?,
            }
        }
        bail!("the workers ended without answering")
    }

    /// `for p in procs: p.join()`, in whatever order they end: one that
    /// fails, or prints anything more, ends the run at once.
    fn join(&mut self) -> Result<()> {
        while self.running > 0 {
            match self.lines.recv().expect("Procs holds a sender") {
                (i, Some(line)) => bail!("worker {i} answered {line:?}, unasked"),
                (i, None) => self.ended(i)?,
            }
        }
        Ok(())
    }

    /// Worker `i` has closed its stdout: reap it, and fail if it failed.
    fn ended(&mut self, i: usize) -> Result<()> {
        self.running -= 1;
        let status = self.children[i].wait();
        let status = status.with_context(|| format!("cannot wait for worker {i}"))?;
        ensure!(status.success(), "worker {i} failed: {status}");
        Ok(())
    }
}

impl Drop for Procs {
    fn drop(&mut self) {
        for child in &mut self.children {
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
        assert_eq!(
            format!("{value}").parse::<f64>().unwrap().to_bits(),
            value.to_bits()
        );
    }
}
