//! `vecAddF.py` in Rust: the same sum as `vec_add`, but the array is copied
//! once into shared memory and every worker process maps it and sums its own
//! range. No element crosses a pipe; only the partial sums come back.
//!
//! The lesson: shared memory removes the copy that made `vec_add` slow.
//! The lecture (32 CPUs) printed `Speedup: 0.62x`: Python still paid for
//! starting processes. Here the processes sum as fast as threads would,
//! up to what the memory can deliver (the README's Measured section has
//! the medians and this machine's memory ceiling). One run on a 2-core
//! machine:
//!
//! ```text
//! Sequential sum: 2500193854, time = 0.032 s
//! Parallel sum: 2500193854, time = 0.018 s
//! Speedup: 1.74x with 2 processes
//! ```
//!
//! What Rust changes: Python's `SharedMemory` is a named block in `/dev/shm`;
//! if the run is killed, Python's resource tracker removes it (warning of a
//! leak), unless the tracker is killed too, as `kill -9` of the process
//! group does, and then it stays. Here the block is a file with no name,
//! handed to each worker as its stdin: nothing can be left behind, and it
//! lives in the temp dir (page cache) because that measured faster than
//! `/dev/shm` on Linux (try `--shm-dir /dev/shm`).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::num::NonZero;
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use clap::Parser;
use memmap2::Mmap;
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

/// Partial sums in worker processes that share one memory-mapped array (vecAddF.py).
#[derive(Parser)]
struct Args {
    /// How many random integers (1..=99) to sum
    #[arg(long, default_value_t = 50_000_000, value_parser = size, allow_hyphen_values = true)]
    n: usize,
    /// Worker processes [default: all CPUs]
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256), allow_hyphen_values = true)]
    workers: Option<u16>,
    /// Seed for the random numbers, to get the same array every run
    #[arg(long, value_parser = seed, allow_hyphen_values = true)]
    seed: Option<u64>,
    /// Folder for the shared file, which no run leaves behind [default: the temp dir]
    #[arg(long, value_name = "DIR", value_parser = folder)]
    shm_dir: Option<PathBuf>,
    /// Run as a worker of process PARENT on the shared file given as stdin
    #[arg(long, hide = true, value_name = "PARENT", requires = "range")]
    worker: Option<u32>,
    /// The worker's part of the array: elements START..END
    #[arg(long, hide = true, num_args = 2, value_names = ["START", "END"])]
    range: Vec<usize>,
}

/// The work each worker does: `np.sum(arr[start:end])`.
fn partial_sum(subarray: &[i64]) -> i64 {
    subarray.iter().sum()
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.worker {
        Some(parent) => worker(parent, &args.range),
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
    let seq_sum = partial_sum(&arr);
    let seq_time = timing::since(start);
    writeln!(out, "Sequential sum: {seq_sum}, time = {seq_time:.3} s")?;

    // Parallel: copy the array once into shared memory. Written with one
    // write() rather than through a mapping: measured faster (see README).
    let dir = args.shm_dir.clone().unwrap_or_else(std::env::temp_dir);
    let mut shm = tempfile::tempfile_in(&dir)
        .with_context(|| format!("cannot create the shared file in {}", dir.display()))?;
    shm.write_all(bytemuck::cast_slice(&arr))
        .with_context(|| format!("cannot copy the array into a file in {}", dir.display()))?;

    let cpus = thread::available_parallelism().map_or(1, NonZero::get);
    let num_procs = args.workers.map_or(cpus, usize::from);
    let start = timing::now();
    let mut procs = Procs::new();
    for i in 0..num_procs {
        let (s, e) = (i * n / num_procs, (i + 1) * n / num_procs);
        // Python passes `shm.name`; here the open file itself is passed.
        procs.start(worker_command(&shm, s, e)?)?;
    }
    // out_q.get() for each worker: its partial sum, read from its stdout.
    let mut partial_sums = vec![0; num_procs];
    for _ in 0..num_procs {
        let (i, answer) = procs.next_line()?; // whichever worker answers first
        partial_sums[i] = answer
            .parse()
            .with_context(|| format!("worker {i} answered {answer:?}, not a number"))?;
    }
    procs.join()?;
    let par_sum: i64 = partial_sums.iter().sum();
    let par_time = timing::since(start);
    writeln!(out, "Parallel sum: {par_sum}, time = {par_time:.3} s")?;
    let speedup = seq_time / par_time;
    writeln!(out, "Speedup: {speedup:.2}x with {num_procs} processes")?;

    ensure!(
        par_sum == seq_sum,
        "parallel sum {par_sum} != sequential sum {seq_sum}"
    );
    Ok(()) // no shm.unlink(): the file goes when the last process holding it ends
}

/// The worker side: map the shared file (our stdin) and sum `arr[start..end]`.
fn worker(parent: u32, range: &[usize]) -> Result<()> {
    watch_parent(parent)?;
    // SAFETY: the parent wrote the file before starting us, and nobody
    // writes it while the workers read it.
    let shm = unsafe { Mmap::map(&io::stdin()) }.context("worker: cannot map its stdin")?;
    let arr: &[i64] = bytemuck::try_cast_slice(&shm)
        .map_err(|_| anyhow::anyhow!("worker: its stdin is not an array of i64"))?;
    let (start, end) = (range[0], range[1]);
    let len = arr.len();
    let subarray = arr
        .get(start..end)
        .with_context(|| format!("worker: {start}..{end} is outside the {len} numbers"))?;
    writeln!(io::stdout(), "{}", partial_sum(subarray))?;
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

/// This same program as a worker for `arr[start..end]`, with the shared file
/// as its stdin (a file with no name is found only through an open handle).
fn worker_command(shm: &File, start: usize, end: usize) -> Result<Command> {
    let exe = std::env::current_exe().context("cannot find this program to start a worker")?;
    let stdin = shm
        .try_clone()
        .context("cannot hand the shared file to a worker")?;
    let mut command = Command::new(exe);
    command
        .args(["--worker", &std::process::id().to_string()])
        .args(["--range", &start.to_string(), &end.to_string()])
        .stdin(stdin);
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

/// A folder that exists, for the shared file.
fn folder(s: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(s);
    match path.is_dir() {
        true => Ok(path),
        false => Err(format!("{s:?} is not a folder")),
    }
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
    fn the_shared_file_holds_what_was_copied_in() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(bytemuck::cast_slice(&[5_i64, -6, 7]))
            .unwrap();
        // SAFETY: this test is the only user of the file.
        let map = unsafe { Mmap::map(&file) }.unwrap();
        assert_eq!(bytemuck::cast_slice::<u8, i64>(&map), [5, -6, 7]);
    }

    #[test]
    fn sizes_are_whole_numbers_from_one_to_a_billion() {
        assert_eq!(size("12"), Ok(12));
        assert_eq!(size("50_000_000"), Ok(50_000_000));
        for bad in ["0", "-1", "abc", "1000000001"] {
            assert!(size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_shared_folder_must_exist() {
        assert!(folder(".").is_ok());
        assert!(folder("/nonexistent/folder").is_err());
    }
}
