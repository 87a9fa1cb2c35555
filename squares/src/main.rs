//! The practical session's first example in Rust: `compute_square(x)` sleeps
//! 0.1 s and returns `x * x`; ten of them one after another, then in a pool
//! of four worker processes. The notebook printed 1.00, 0.32 and `True`.
//! One run here (2 cores):
//!
//! ```text
//! Sequential time: 1.00 seconds
//! Parallel time: 0.31 seconds
//! Results are the same: true
//! ```
//!
//! The lesson: while a task waits, another can run. Four workers finish ten
//! 0.1 s tasks in ceil(10 / 4) = 3 rounds, 0.30 s; the pool's overhead is what
//! goes beyond. Like `Pool.map`, each worker is long-lived and takes the next
//! task as soon as it has answered the last, and the results come back in the
//! order of the inputs. A worker is this same program started with a hidden
//! `--worker`: it reads `TASK X` lines on stdin and answers `TASK SQUARE`, so
//! every answer says which task it answers. `--threads` runs the same pool
//! with threads. If a worker dies, the run ends at once with an error naming
//! it (Python's `Pool` would wait for it forever).

use std::io::{self, BufRead, BufReader, Write};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use clap::Parser;

/// Ten sleeping tasks, one by one and in a pool (the practical session's squares).
#[derive(Parser)]
struct Args {
    /// How many tasks: the numbers 0, 1, ..., TASKS - 1
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100_000), allow_hyphen_values = true)]
    tasks: u32,
    /// How long each task sleeps, in milliseconds
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(0..=60_000), allow_hyphen_values = true)]
    sleep_ms: u32,
    /// Worker processes in the pool (or threads with --threads)
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256), allow_hyphen_values = true)]
    workers: u16,
    /// Use a pool of threads instead of processes
    #[arg(long)]
    threads: bool,
    /// Run as a pool worker of process PARENT: answer `TASK X*X` to each `TASK X` on stdin
    #[arg(long, hide = true, value_name = "PARENT")]
    worker: Option<u32>,
}

/// Simulate an expensive computation. (A u32 squared always fits in a u64.)
fn compute_square(x: u32, sleep: Duration) -> u64 {
    thread::sleep(sleep);
    u64::from(x) * u64::from(x)
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

/// The worker side: answer `TASK X*X` to every `TASK X` read on stdin, until
/// the parent closes it.
fn worker(parent: u32, args: &Args) -> Result<()> {
    watch_parent(parent)?;
    let sleep = Duration::from_millis(u64::from(args.sleep_ms));
    let mut out = io::stdout();
    for line in io::stdin().lines() {
        let line = line.context("worker: cannot read a task")?;
        let (task, x): (usize, u32) = pair(&line).with_context(|| {
            format!(
                "worker: {line:?} is not a task `TASK X` (X up to {})",
                u32::MAX
            )
        })?;
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
        procs.start(worker_command(args)?)?;
    }
    let mut tasks = numbers.iter().enumerate();
    let mut given = Vec::new(); // the task each worker is working on
    for i in 0..procs.children.len() {
        given.push(give(&mut procs.children[i], tasks.next()));
    }
    let mut results = vec![0; numbers.len()];
    for _ in numbers {
        let (i, answer) = procs.next_line()?; // whichever worker answers first
        let (task, square) = pair(&answer)
            .filter(|&(task, _)| Some(task) == given[i])
            .with_context(|| format!("worker {i} answered {answer:?} to task {:?}", given[i]))?;
        results[task] = square;
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
fn give(worker: &mut Child, task: Option<(usize, &u32)>) -> Option<usize> {
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
        .args(["--sleep-ms", &args.sleep_ms.to_string()])
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

    #[test]
    fn compute_square_squares_after_its_sleep() {
        let start = timing::now();
        assert_eq!(compute_square(12, Duration::from_millis(20)), 144);
        assert!(timing::since(start) >= 0.020);
        assert_eq!(
            compute_square(u32::MAX, Duration::ZERO),
            18446744065119617025
        );
    }

    #[test]
    fn the_thread_pool_returns_results_in_input_order() {
        let numbers: Vec<u32> = (0..23).collect();
        let squares: Vec<u64> = numbers.iter().map(|&x| u64::from(x * x)).collect();
        for workers in [1, 4, 30] {
            assert_eq!(
                map_in_threads(&numbers, workers, Duration::ZERO).unwrap(),
                squares
            );
        }
    }

    #[test]
    fn a_task_line_is_two_numbers() {
        assert_eq!(pair::<usize, u32>("3 9\n"), Some((3, 9)));
        assert_eq!(pair::<usize, u32>("7"), None);
        assert_eq!(
            pair::<usize, u32>("0 4294967296"),
            None,
            "too large for a u32"
        );
        assert_eq!(pair::<usize, u32>("1 -2"), None);
    }

    #[cfg(unix)]
    #[test]
    fn procs_name_the_worker_that_ends_and_how() {
        let sh = |script: &str| {
            let mut command = Command::new("sh");
            command.args(["-c", script]);
            command
        };
        let mut procs = Procs::new();
        procs.start(sh("echo 0 0; exit 3")).unwrap();
        assert_eq!(procs.next_line().unwrap(), (0, "0 0".to_string()));
        let err = procs.next_line().unwrap_err();
        assert_eq!(format!("{err:#}"), "worker 0 failed: exit status: 3");

        let mut procs = Procs::new();
        procs.start(sh("exit 0")).unwrap();
        let err = procs.next_line().unwrap_err();
        assert_eq!(format!("{err:#}"), "the workers ended without answering");

        let mut procs = Procs::new();
        procs.start(sh("echo extra")).unwrap();
        let err = procs.join().unwrap_err();
        assert_eq!(format!("{err:#}"), "worker 0 answered \"extra\", unasked");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn dropping_procs_kills_and_reaps_every_worker() {
        let mut procs = Procs::new();
        let mut sleep = Command::new("sleep");
        sleep.arg("30");
        let pid = procs.start(sleep).unwrap().id();
        drop(procs);
        assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
    }
}
