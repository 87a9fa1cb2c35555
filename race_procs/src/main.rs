//! `threadP-B.py` in Rust: ten processes each add 1 to one counter in shared
//! memory 100,000 times, without a lock.
//!
//! The lesson: separate processes really run at once, and `counter.value += 1`
//! is a get and then a set, so updates are lost. The lecture printed 170066,
//! 170233, 169227 and 169344 for 1000000. Here (one run on a 2-core machine;
//! the count changes every run, and one CPU loses as many):
//!
//! ```text
//! 272361
//! lost 727639 of 1000000 updates
//! ```
//!
//! What Rust changes: `mp.Value('i', 0)` becomes an i32 with a lock next to
//! it in a mapped file, and `counter.value += 1` is a `get` then a `set`,
//! each taking the lock on its own, exactly as in Python: another process can
//! slip in between them, even on one CPU. Rust workers are so fast that each
//! would finish before the next one starts, so they wait at a start gate
//! until all are running. The file has no name: no run, however it ends,
//! leaves it behind.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicI32, AtomicU32};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use clap::Parser;
use memmap2::MmapRaw;

/// Processes racing on one counter in shared memory (threadP-B.py).
#[derive(Parser)]
struct Args {
    /// Worker processes, each incrementing the shared counter
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=256), allow_hyphen_values = true)]
    workers: u16,
    /// Increments per process (at most 8,000,000: 256 x that still fits the i32 counter)
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=8_000_000), allow_hyphen_values = true)]
    iters: u32,
    /// Run as a worker of process PARENT on the shared counter given as stdin
    #[arg(long, hide = true, value_name = "PARENT")]
    worker: Option<u32>,
}

/// What each process does (`worker` in the Python): `counter.value += 1`,
/// a get and then a set, each taking the counter's lock on its own.
fn increment(counter: &Value, iters: u32) {
    for _ in 0..iters {
        counter.set(counter.get() + 1);
    }
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

/// The Python script's main block.
fn run(args: &Args) -> Result<()> {
    if cfg!(debug_assertions) {
        // Cargo's default dev profile: a copy that left [profile.dev] behind.
        eprintln!("warning: built without optimisation: the times below are up to 10x too slow");
    }
    // counter = mp.Value('i', 0): an i32 and its lock, in a shared file.
    let shm = shared_file()?;
    let map = map(&shm)?;
    let shared = shared(&map)?;
    shared.parent.store(std::process::id(), Relaxed);
    shared.counter.lock.store(1, Relaxed); // held until every worker has started

    let mut procs = Procs::new();
    for _ in 0..args.workers {
        procs.start(worker_command(&shm, args)?)?;
    }
    procs.join()?;

    let count = shared.counter.get();
    let total = i64::from(args.workers) * i64::from(args.iters);
    let mut out = io::stdout();
    writeln!(out, "{count}")?; // usually < 1000000 due to race conditions
    writeln!(out, "lost {} of {total} updates", total - i64::from(count))?;
    Ok(())
}

/// The worker side: map the counter, wait until every worker is running,
/// then count.
fn worker(parent: u32, args: &Args) -> Result<()> {
    watch_parent(parent)?;
    let map = map(&io::stdin())?;
    let shared = shared(&map)?;
    let from = shared.parent.load(Relaxed);
    ensure!(
        from == parent,
        "worker: its stdin is the shared file of {from}, not {parent}"
    );
    // The start gate: the last worker to start lets go of the counter's lock,
    // which the parent took, so that all of them start counting together.
    if shared.started.fetch_add(1, Relaxed) + 1 == u32::from(args.workers) {
        shared.counter.unlock();
    }
    increment(&shared.counter, args.iters);
    Ok(())
}

/// What lives in the shared file.
#[repr(C)]
struct Shared {
    /// The run's parent: a worker checks that it was given the right file.
    parent: AtomicU32,
    /// How many workers have started (the start gate).
    started: AtomicU32,
    /// The shared counter and its lock.
    counter: Value,
}

/// `mp.Value('i', 0)`: an i32 with a lock next to it in shared memory, as
/// Python keeps a semaphore next to the value. `get` and `set` each take the
/// lock, as Python's `x.value` does; `get_lock` holds it across several steps.
#[repr(C)]
struct Value {
    lock: AtomicU32,    // 0: free, 1: held
    waiting: AtomicU32, // processes waiting for the lock
    value: AtomicI32,
}

impl Value {
    fn get(&self) -> i32 {
        self.get_lock().get()
    }

    fn set(&self, value: i32) {
        self.get_lock().set(value);
    }

    /// Waits until no process holds the lock, then takes it.
    fn get_lock(&self) -> Locked<'_> {
        if self.lock.swap(1, Acquire) != 0 {
            self.waiting.fetch_add(1, Relaxed);
            while self.lock.swap(1, Acquire) != 0 {
                thread::yield_now(); // let the holder run
            }
            self.waiting.fetch_sub(1, Relaxed);
        }
        Locked(self)
    }

    /// Lets go of the lock; a process waiting for it gets its turn now, as a
    /// semaphore wakes its waiter.
    fn unlock(&self) {
        self.lock.store(0, Release);
        if self.waiting.load(Relaxed) > 0 {
            thread::yield_now();
        }
    }
}

/// The value while its lock is held; dropping this releases the lock.
struct Locked<'a>(&'a Value);

impl Locked<'_> {
    fn get(&self) -> i32 {
        self.0.value.load(Relaxed)
    }

    fn set(&self, value: i32) {
        self.0.value.store(value, Relaxed);
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        self.0.unlock();
    }
}

/// A new shared file holding one `Shared`, all zeros. It has no name, so no
/// way of ending the run can leave it behind; its bytes are written now, so
/// a full disk is an error here rather than a crash in a worker.
fn shared_file() -> Result<File> {
    let dir = std::env::temp_dir();
    let mut file = tempfile::tempfile_in(&dir)
        .with_context(|| format!("cannot create the shared file in {}", dir.display()))?;
    file.write_all(&[0; size_of::<Shared>()])
        .with_context(|| format!("cannot write the shared file in {}", dir.display()))?;
    Ok(file)
}

/// The shared file, mapped: seen as a `Shared` through `shared`.
fn map(file: impl memmap2::MmapAsRawDesc) -> Result<MmapRaw> {
    MmapRaw::map_raw(file).context("cannot map the shared file")
}

/// The mapped bytes seen as the `Shared` they hold.
fn shared(map: &MmapRaw) -> Result<&Shared> {
    ensure!(
        map.len() == size_of::<Shared>(),
        "the shared file is not a counter"
    );
    // SAFETY: the pointer comes from the mapping, which is page-aligned, as
    // large as a `Shared`, and outlives the reference (borrowed from `map`).
    // `Shared` is made of atomics, valid for any bytes, and every process
    // reads and writes these bytes only through them.
    Ok(unsafe { &*map.as_mut_ptr().cast::<Shared>() })
}

/// This same program as a worker, with the shared file as its stdin (a file
/// with no name is found only through an open handle).
fn worker_command(shm: &File, args: &Args) -> Result<Command> {
    let exe = std::env::current_exe().context("cannot find this program to start a worker")?;
    let stdin = shm
        .try_clone()
        .context("cannot hand the shared file to a worker")?;
    let mut command = Command::new(exe);
    command
        .args(["--worker", &std::process::id().to_string()])
        .args(["--workers", &args.workers.to_string()])
        .args(["--iters", &args.iters.to_string()])
        .stdin(stdin);
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
    fn one_worker_alone_loses_nothing() {
        let counter = Value {
            lock: AtomicU32::new(0),
            waiting: AtomicU32::new(0),
            value: AtomicI32::new(0),
        };
        increment(&counter, 1000);
        assert_eq!(counter.get(), 1000);
        assert_eq!(counter.lock.load(Relaxed), 0, "the lock is free again");
    }

    #[test]
    fn the_shared_file_starts_at_zero_and_is_seen_by_every_mapping() {
        let file = shared_file().unwrap();
        let (a, b) = (map(&file).unwrap(), map(&file).unwrap());
        let (a, b) = (shared(&a).unwrap(), shared(&b).unwrap());
        assert_eq!(a.counter.get(), 0);
        a.counter.set(41);
        increment(&b.counter, 1);
        assert_eq!(a.counter.get(), 42);
    }

    #[test]
    fn a_file_that_is_not_a_counter_is_refused() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&[0; 3]).unwrap();
        let err = shared(&map(&file).unwrap()).map(|_| ()).unwrap_err();
        assert_eq!(err.to_string(), "the shared file is not a counter");
    }
}
