//! `threadP-B.py` in Rust: ten processes each add 1 to one counter in shared
//! memory 100,000 times, without a lock.
//!
//! The lesson: separate processes really run at once, and `counter.value += 1`
//! is a get and then a set, so updates are lost. The lecture printed 170066,
//! 170233, 169227 and 169344 for 1000000. Here (one run on a 2-core machine;
//! the count changes every run):
//!
//! ```text
//! 861132
//! lost 138868 of 1000000 updates
//! ```
//!
//! What Rust changes: `mp.Value('i', 0)` becomes an `AtomicI32` in a mapped
//! file, and each increment is a `load` then a `store`, exactly Python's get
//! and set. Rust workers are so fast that each would finish before the next
//! one starts, so they wait at a start gate until all ten are running. The
//! file has no name: no run, however it ends, leaves it behind.

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, ExitCode};
use std::sync::atomic::{AtomicI32, Ordering::Relaxed};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Parser;
use memmap2::MmapMut;

/// Processes racing on one counter in shared memory (threadP-B.py).
#[derive(Parser)]
struct Args {
    /// Worker processes, each incrementing the shared counter
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=256))]
    workers: u16,
    /// Increments per process (at most 8,000,000: 256 x that still fits the i32 counter)
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=8_000_000), allow_hyphen_values = true)]
    iters: u32,
    /// Run as a worker on the shared counter given as stdin
    #[arg(long, hide = true)]
    worker: bool,
}

/// What each process does: `counter.value += 1`, a get and then a set.
fn worker(counter: &AtomicI32, iters: u32) {
    for _ in 0..iters {
        let value = counter.load(Relaxed);
        counter.store(value + 1, Relaxed);
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = if args.worker {
        run_worker(&args)
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

/// The Python script's main block.
fn run(args: &Args) -> Result<()> {
    // counter = mp.Value('i', 0): an i32 in a shared file (and the start gate).
    let shm = unnamed_file(&std::env::temp_dir())?;
    shm.set_len(size_of::<Shared>() as u64)
        .context("cannot size the shared file")?;

    let mut procs = Workers(Vec::new());
    for _ in 0..args.workers {
        procs.0.push(start_worker(&shm, args)?);
    }
    procs.wait_all()?;

    let shared = map(&shm)?;
    let count = shared_counter(&shared).counter.load(Relaxed);
    println!("{count}"); // usually < 1000000 due to race conditions
    let total = i64::from(args.workers) * i64::from(args.iters);
    println!("lost {} of {total} updates", total - i64::from(count));
    Ok(())
}

/// The worker side: map the counter, wait until every worker is running,
/// then count.
fn run_worker(args: &Args) -> Result<()> {
    let shm = map(&std::io::stdin()).context("worker: cannot map its stdin")?;
    let shared = shared_counter(&shm);
    shared.started.fetch_add(1, Relaxed);
    wait_for_all(&shared.started, i32::from(args.workers))?;
    worker(&shared.counter, args.iters);
    Ok(())
}

/// What lives in the shared file: the counter, and how many workers have
/// started (the start gate).
#[repr(C)]
struct Shared {
    counter: AtomicI32,
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
#[cfg(target_os = "linux")]
fn unnamed_file(dir: &Path) -> Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    File::options()
        .read(true)
        .write(true)
        .custom_flags(libc::O_TMPFILE)
        .open(dir)
        .with_context(|| format!("cannot create an unnamed file in {}", dir.display()))
}

/// Elsewhere the file gets a name for an instant: it is removed as soon as it
/// is open, before any worker starts.
#[cfg(not(target_os = "linux"))]
fn unnamed_file(dir: &Path) -> Result<File> {
    let path = dir.join(format!("race_procs.{}", std::process::id()));
    let file = File::options()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
    Ok(file)
}

/// Starts this same program as a worker, with the shared file as its stdin.
fn start_worker(shm: &File, args: &Args) -> Result<Child> {
    let exe = std::env::current_exe().context("cannot find this program to start a worker")?;
    let stdin = shm
        .try_clone()
        .context("cannot hand the shared file to a worker")?;
    Command::new(exe)
        .arg("--worker")
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
    /// `for p in procs: p.join()`, but in whatever order they finish: one
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
    fn one_worker_alone_loses_nothing() {
        let counter = AtomicI32::new(0);
        worker(&counter, 1000);
        assert_eq!(counter.into_inner(), 1000);
    }

    #[test]
    fn the_shared_file_starts_at_zero_and_is_seen_by_every_mapping() {
        let file = unnamed_file(&std::env::temp_dir()).unwrap();
        file.set_len(size_of::<Shared>() as u64).unwrap();
        let (a, b) = (map(&file).unwrap(), map(&file).unwrap());
        assert_eq!(shared_counter(&a).counter.load(Relaxed), 0);
        shared_counter(&a).counter.store(41, Relaxed);
        worker(&shared_counter(&b).counter, 1);
        assert_eq!(shared_counter(&a).counter.load(Relaxed), 42);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn waiting_for_workers_names_the_one_that_failed() {
        let ok = Command::new("true").spawn().unwrap();
        let bad = Command::new("sh").args(["-c", "exit 3"]).spawn().unwrap();
        let err = Workers(vec![ok, bad]).wait_all().unwrap_err();
        assert_eq!(format!("{err:#}"), "worker 1 failed: exit status: 3");
    }
}
