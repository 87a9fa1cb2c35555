//! `lockedCounter.py` in Rust: four processes each add 1 to one counter in
//! shared memory 100,000 times, holding the counter's lock around each
//! increment. The slide says `Output is 400000`, and so it is, every run:
//!
//! ```text
//! 400000
//! get_lock (flock): 400000 of 400000, time = 0.411 s
//! fetch_add:        400000 of 400000, time = 0.010 s
//! ```
//!
//! What Rust changes: `x.get_lock()` becomes a real OS lock on the shared
//! file, `std::fs::File::lock` (flock), held across the load and the store.
//! Each worker opens the file itself, because flock belongs to an open file,
//! not to a process. Then the same count without any lock, with `fetch_add`:
//! one indivisible read-modify-write, just as exact, and the times show what
//! the lock costs. The workers wait at a start gate so that they overlap, and
//! the shared file has no name, so no run leaves it behind.
//!
//! Linux only: a worker opens the shared file again as `/proc/self/fd/0`.

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, ExitCode};
use std::sync::atomic::{AtomicI32, Ordering::Relaxed};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Parser, ValueEnum};
use memmap2::MmapMut;

/// A cross-process lock that makes a shared counter exact (lockedCounter.py).
#[derive(Parser)]
struct Args {
    /// Worker processes, each incrementing the shared counter
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    workers: u16,
    /// Increments per process (at most 8,000,000: 256 x that still fits the i32 counter)
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=8_000_000), allow_hyphen_values = true)]
    iters: u32,
    /// Run as a worker on the shared counter given as stdin
    #[arg(long, hide = true, value_name = "HOW")]
    worker: Option<How>,
}

/// How a worker makes its increments safe.
#[derive(Clone, Copy, ValueEnum)]
enum How {
    /// `with x.get_lock(): x.value += 1`
    Lock,
    /// One atomic read-modify-write, no lock
    FetchAdd,
}

/// `with x.get_lock(): x.value += 1`, the lock held across the get and the set.
fn increment(x: &AtomicI32, lock: &File, iters: u32) -> Result<()> {
    for _ in 0..iters {
        lock.lock().context("worker: cannot take the lock")?;
        let value = x.load(Relaxed);
        x.store(value + 1, Relaxed);
        lock.unlock().context("worker: cannot release the lock")?;
    }
    Ok(())
}

/// The lock-free alternative: read, add and write in one indivisible step.
fn increment_fetch_add(x: &AtomicI32, iters: u32) {
    for _ in 0..iters {
        x.fetch_add(1, Relaxed);
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.worker {
        Some(how) => run_worker(how, &args),
        None => run(&args),
    };
    // Any failure ends in one line, like clap's errors, and exit code 1.
    if let Err(err) = result {
        eprintln!("error: {err:#}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// The Python script's main block, then the same without a lock.
fn run(args: &Args) -> Result<()> {
    let total = i64::from(args.workers) * i64::from(args.iters);

    let (locked, lock_time) = timing::time(|| count_in_processes(How::Lock, args));
    let locked = locked?;
    println!("{locked}"); // Output is 400000
    report("get_lock (flock):", locked, total, lock_time);

    let (lock_free, time) = timing::time(|| count_in_processes(How::FetchAdd, args));
    report("fetch_add:       ", lock_free?, total, time);
    Ok(())
}

/// `x = Value('i', 0)`, the processes started and joined; returns `x.value`.
fn count_in_processes(how: How, args: &Args) -> Result<i32> {
    let shm = unnamed_file(&std::env::temp_dir())?;
    shm.set_len(size_of::<Shared>() as u64)
        .context("cannot size the shared file")?;
    let mut processes = Workers(Vec::new());
    for _ in 0..args.workers {
        processes.0.push(start_worker(&shm, how, args)?);
    }
    processes.wait_all()?;
    let shared = map(&shm)?;
    Ok(shared_counter(&shared).x.load(Relaxed))
}

/// The worker side: map the counter, open the lock, wait until every worker
/// is running, then count.
fn run_worker(how: How, args: &Args) -> Result<()> {
    let shm = map(&std::io::stdin()).context("worker: cannot map its stdin")?;
    let shared = shared_counter(&shm);
    let lock = open_again().context("worker: cannot open the shared file for its lock")?;
    shared.started.fetch_add(1, Relaxed);
    wait_for_all(&shared.started, i32::from(args.workers))?;
    match how {
        How::Lock => increment(&shared.x, &lock, args.iters),
        How::FetchAdd => {
            increment_fetch_add(&shared.x, args.iters);
            Ok(())
        }
    }
}

fn report(label: &str, count: i32, total: i64, time: Duration) {
    println!(
        "{label} {count} of {total}, time = {:.3} s",
        time.as_secs_f64()
    );
}

/// What lives in the shared file: the counter, and how many workers have
/// started (the start gate).
#[repr(C)]
struct Shared {
    x: AtomicI32,
    started: AtomicI32,
}

fn map(file: impl memmap2::MmapAsRawDesc) -> Result<MmapMut> {
    // SAFETY: only this run's processes hold the file, and all of them touch
    // its bytes only through the atomics in `Shared`.
    unsafe { MmapMut::map_mut(file) }.context("cannot map the shared file")
}

/// The mapped bytes seen as the `Shared` counters.
fn shared_counter(map: &MmapMut) -> &Shared {
    assert!(map.len() >= size_of::<Shared>(), "the file holds a Shared");
    // SAFETY: the mapping is page-aligned and large enough; `Shared` is two
    // AtomicI32, which have the layout of i32, and any bytes are valid i32s.
    // Atomics may be shared between threads and, in a shared mapping, between
    // processes; the reference lives no longer than the mapping.
    unsafe { &*map.as_ptr().cast::<Shared>() }
}

/// The shared file (this worker's stdin) opened a second time: a new open
/// file of its own, so that its flock excludes the other workers' flocks.
/// (The inherited stdin is one open file shared by all workers: a lock on
/// it would be everyone's lock at once.)
fn open_again() -> std::io::Result<File> {
    File::options()
        .read(true)
        .write(true)
        .open("/proc/self/fd/0")
}

/// The start gate: spin until `workers` have started. Gives up if the
/// parent dies meanwhile, so that no worker outlives the run.
fn wait_for_all(started: &AtomicI32, workers: i32) -> Result<()> {
    let parent = std::os::unix::process::parent_id();
    while started.load(Relaxed) < workers {
        if std::os::unix::process::parent_id() != parent {
            bail!("worker: the parent process has gone");
        }
        thread::yield_now();
    }
    Ok(())
}

/// A new file in `dir` that has no name, so no way of ending the run can
/// leave it behind: it is gone when the last process holding it exits.
fn unnamed_file(dir: &Path) -> Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    File::options()
        .read(true)
        .write(true)
        .custom_flags(libc::O_TMPFILE)
        .open(dir)
        .with_context(|| format!("cannot create an unnamed file in {}", dir.display()))
}

/// Starts this same program as a worker, with the shared file as its stdin.
fn start_worker(shm: &File, how: How, args: &Args) -> Result<Child> {
    let exe = std::env::current_exe().context("cannot find this program to start a worker")?;
    let stdin = shm
        .try_clone()
        .context("cannot hand the shared file to a worker")?;
    let how = how.to_possible_value().expect("no variant is skipped");
    Command::new(exe)
        .args(["--worker", how.get_name()])
        .args(["--workers", &args.workers.to_string()])
        .args(["--iters", &args.iters.to_string()])
        .stdin(stdin)
        .spawn()
        .context("cannot start a worker process")
}

/// Worker processes still running when this is dropped (an error cut the run
/// short) are killed and reaped: no worker outlives the run.
struct Workers(Vec<Child>);

impl Workers {
    /// `for p in processes: p.join()`, but in whatever order they finish: one
    /// that fails ends the run at once instead of leaving the others waiting
    /// at the start gate for it.
    fn wait_all(&mut self) -> Result<()> {
        let mut running: Vec<usize> = (0..self.0.len()).collect();
        while !running.is_empty() {
            let mut still_running = Vec::new();
            for i in running {
                match self.0[i]
                    .try_wait()
                    .with_context(|| format!("cannot wait for worker {i}"))?
                {
                    None => still_running.push(i),
                    Some(status) if status.success() => {}
                    Some(status) => bail!("worker {i} failed: {status}"),
                }
            }
            running = still_running;
            thread::sleep(Duration::from_millis(1));
        }
        Ok(())
    }
}

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
    fn increments_under_the_lock_count_exactly() {
        let file = unnamed_file(&std::env::temp_dir()).unwrap();
        file.set_len(size_of::<Shared>() as u64).unwrap();
        let shm = map(&file).unwrap();
        let x = &shared_counter(&shm).x;
        increment(x, &file, 1000).unwrap();
        increment_fetch_add(x, 234);
        assert_eq!(x.load(Relaxed), 1234);
    }

    #[test]
    fn a_lock_on_another_open_file_excludes_this_one() {
        let file = unnamed_file(&std::env::temp_dir()).unwrap();
        // The same file opened again through /proc, as a worker does.
        let path = format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&file));
        let again = File::options().read(true).write(true).open(path).unwrap();
        again.lock().unwrap();
        assert!(
            file.try_lock().is_err(),
            "the second open file is locked out"
        );
        again.unlock().unwrap();
        file.try_lock().unwrap();
    }

    #[test]
    fn waiting_for_workers_names_the_one_that_failed() {
        let ok = Command::new("true").spawn().unwrap();
        let bad = Command::new("sh").args(["-c", "exit 3"]).spawn().unwrap();
        let err = Workers(vec![ok, bad]).wait_all().unwrap_err();
        assert_eq!(format!("{err:#}"), "worker 1 failed: exit status: 3");
    }
}
