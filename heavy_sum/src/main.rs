//! `vecAddF-heavy.py` in Rust: 1,000,000 random floats, and per element
//! `x*x + sin(x)` instead of a plain add, summed sequentially and then in
//! worker processes that are each sent their chunk through a pipe.
//!
//! The lesson: processes pay off when the work per element outweighs the
//! cost of sending the element. The lecture (32 CPUs) printed
//! `Speedup: 2.69x with 32 processes`: Python spends far longer on each
//! element than it takes to send it. Rust spends about as long as sending
//! its 8 bytes through a pipe (the README's Measured section has both
//! figures, per element, for this machine), so here the processes lose and
//! the threads, which send nothing, win. One run of each on a 2-core
//! machine, `cargo run -p heavy_sum` and then with `-- --threads`:
//!
//! ```text
//! Sequential sum: 792557.66, time = 0.006 s
//! Parallel sum: 792557.66, time = 0.012 s
//! Speedup: 0.51x with 2 processes
//! Difference: 3.1e-8 (the parallel sum adds in another order)
//! ```
//!
//! ```text
//! Sequential sum: 792557.66, time = 0.006 s
//! Parallel sum: 792557.66, time = 0.003 s
//! Speedup: 1.84x with 2 threads
//! Difference: 2.2e-8 (the parallel sum adds in another order)
//! ```
//!
//! What Rust changes: threads borrow their chunk and run at once (no GIL),
//! and the parallel sum is checked against the sequential one within the
//! rounding that adding in another order can cause.

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

/// A compute-heavy sum in worker processes or threads (vecAddF-heavy.py).
#[derive(Parser)]
struct Args {
    /// How many random floats in [0, 1) to sum
    #[arg(long, default_value_t = 1_000_000, value_parser = size, allow_hyphen_values = true)]
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
    /// Run as a worker of process PARENT: print the heavy sum of the f64s on stdin
    #[arg(long, hide = true, value_name = "PARENT")]
    worker: Option<u32>,
}

/// The work each worker does, as in the Python: `s += x*x + math.sin(x)`.
fn heavy_sum(subarray: &[f64]) -> f64 {
    let mut s = 0.0;
    for x in subarray {
        s += x * x + x.sin();
    }
    s
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

    // Sequential
    let start = timing::now();
    let seq_sum = heavy_sum(&arr);
    let seq_time = timing::since(start);
    writeln!(out, "Sequential sum: {seq_sum:.2}, time = {seq_time:.3} s")?;

    // Parallel
    let cpus = thread::available_parallelism().map_or(1, NonZero::get);
    let num_procs = args.workers.map_or(cpus, usize::from);
    // Chunk i is arr[i*n/w .. (i+1)*n/w]: every element lands in exactly one.
    let chunks: Vec<&[f64]> = (0..num_procs)
        .map(|i| &arr[i * n / num_procs..(i + 1) * n / num_procs])
        .collect();
    let start = timing::now();
    let partial_sums = if args.threads {
        sum_in_threads(&chunks)?
    } else {
        sum_in_processes(&chunks)?
    };
    let par_sum: f64 = partial_sums.iter().sum();
    let par_time = timing::since(start);
    writeln!(out, "Parallel sum: {par_sum:.2}, time = {par_time:.3} s")?;
    let kind = if args.threads { "threads" } else { "processes" };
    let speedup = seq_time / par_time;
    writeln!(out, "Speedup: {speedup:.2}x with {num_procs} {kind}")?;

    // Every term is >= 0, so adding in another order changes each sum by at
    // most n * EPSILON * sum: the two may differ by twice that, never more.
    let difference = (par_sum - seq_sum).abs();
    writeln!(
        out,
        "Difference: {difference:.1e} (the parallel sum adds in another order)"
    )?;
    let bound = 2.0 * n as f64 * f64::EPSILON * seq_sum;
    ensure!(
        difference <= bound,
        "parallel sum {par_sum} is too far from {seq_sum}"
    );
    Ok(())
}

/// `np.random.rand(n)`: n floats in [0, 1).
fn random_array(n: usize, seed: Option<u64>) -> Result<Vec<f64>> {
    let mut rng = match seed {
        Some(seed) => SmallRng::seed_from_u64(seed),
        None => rand::make_rng(),
    };
    let mut arr = Vec::new();
    arr.try_reserve_exact(n)
        .with_context(|| format!("not enough memory for {n} numbers"))?;
    arr.extend((0..n).map(|_| rng.random::<f64>()));
    Ok(arr)
}

/// Threads borrow their chunk: no copy, and all of them run at once.
fn sum_in_threads(chunks: &[&[f64]]) -> Result<Vec<f64>> {
    thread::scope(|s| {
        let mut handles = Vec::new();
        for chunk in chunks {
            let handle = thread::Builder::new().spawn_scoped(s, || heavy_sum(chunk));
            handles.push(handle.context("cannot start a thread")?);
        }
        Ok(handles
            .into_iter()
            .map(|h| h.join().expect("heavy_sum cannot panic"))
            .collect())
    })
}

/// `pool.map(heavy_sum, chunks)`: a worker process per chunk, the chunk
/// copied through its stdin, the partial sum read back from its stdout.
fn sum_in_processes(chunks: &[&[f64]]) -> Result<Vec<f64>> {
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
    let mut partial_sums = vec![0.0; chunks.len()];
    for _ in chunks {
        let (i, answer) = procs.next_line()?; // whichever worker answers first
        partial_sums[i] = answer
            .parse()
            .with_context(|| format!("worker {i} answered {answer:?}, not a number"))?;
    }
    procs.join()?;
    Ok(partial_sums)
}

/// The worker side: the heavy sum of the numbers on stdin, printed with `{}`,
/// the shortest text that parses back to the very same f64. They are read
/// block by block into one reused buffer, as in `vec_add`.
fn worker(parent: u32) -> Result<()> {
    watch_parent(parent)?;
    let mut stdin = io::stdin().lock();
    let mut block = vec![0_f64; 64 * 1024];
    let mut sum = 0.0;
    loop {
        let bytes = fill(&mut stdin, bytemuck::cast_slice_mut(&mut block))?;
        ensure!(
            bytes % 8 == 0,
            "worker: its input is not a whole number of f64"
        );
        sum += heavy_sum(&block[..bytes / 8]);
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
    fn heavy_sum_adds_x_squared_plus_sin_x() {
        assert_eq!(heavy_sum(&[]), 0.0);
        assert_eq!(heavy_sum(&[0.0]), 0.0);
        let x = 0.5_f64;
        assert_eq!(heavy_sum(&[x, x]), 2.0 * (x * x + x.sin()));
    }

    #[test]
    fn random_array_is_in_range_and_reproducible() {
        let a = random_array(10_000, Some(7)).unwrap();
        assert!(a.iter().all(|x| (0.0..1.0).contains(x)));
        assert_eq!(a, random_array(10_000, Some(7)).unwrap());
    }

    #[test]
    fn threads_sum_every_chunk() {
        let arr = [0.0, 0.5, 1.0];
        let sums = sum_in_threads(&[&arr[..1], &arr[1..1], &arr[1..]]).unwrap();
        assert_eq!(sums, vec![0.0, 0.0, heavy_sum(&arr[1..])]);
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
