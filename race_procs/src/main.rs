//! `threadP-B.py` in Rust: ten processes each add 1 to one counter in shared
//! memory 100,000 times, without holding its lock. The lecture printed
//! 170066, 170233, 169227 and 169344 for 1000000 ("usually < 1000000 due to
//! race conditions").
//!
//! The lesson: separate processes really run at once, and `counter.value +=
//! 1` is a get and then a set: another process can slip in between them,
//! even on one CPU, and its updates are lost. One run on a 2-core machine
//! (the count changes every run):
//!
//! ```text
//! 321042
//! lost 678958 of 1000000 updates
//! The processes counted at the same time for 96% of their increments.
//! ```
//!
//! `mp.Value('i', 0)` is an i32 with a lock next to it in a shared temp file.
//! Rust workers are so fast that each would finish before the next one has
//! started, so they wait at a start gate. The README says more; `procs.rs`
//! is plumbing.

mod procs;

use std::env;
use std::fs::File;
use std::io::{self, Write};
use std::process::{self, Command, ExitCode, Stdio};
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicI32, AtomicU32};
use std::thread;

use anyhow::{Context, Result, ensure};
use clap::Parser;
use memmap2::MmapRaw;
use procs::{Procs, number};

/// What each process does (`worker` in the Python): `counter.value += 1`,
/// a get and then a set, each taking the counter's lock on its own.
fn increment(counter: &Value, iters: u32) {
    for _ in 0..iters {
        counter.set(counter.get() + 1);
    }
}

fn main() -> ExitCode {
    procs::end_on_panic();
    let args = Args::parse();
    procs::exit(match args.worker {
        Some(parent) => worker(parent, &args),
        None => run(&args),
    })
}

/// The Python script's main block.
fn run(args: &Args) -> Result<()> {
    // counter = mp.Value('i', 0): an i32 and its lock, in a shared file.
    let shm = shared_file()?;
    let map = MmapRaw::map_raw(&shm).context("cannot map the shared file")?;
    let shared = shared(&map)?;
    shared.parent.store(process::id(), Relaxed);

    // The start gate: the parent holds the lock until every worker is ready.
    let gate = shared.counter.get_lock();
    let mut procs = Procs::new();
    for _ in 0..args.workers {
        let worker = worker_command(&shm, args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 2)?; // it owes two answers: "ready", then "done"
    }
    for _ in 0..args.workers {
        procs.next_line()?; // "ready": it waits at the gate
    }
    drop(gate); // all of them count at once
    let mut together = 0; // increments made while another process counted too
    for _ in 0..args.workers {
        let (i, done) = procs.next_line()?; // "done N" as it ends
        let n = done.strip_prefix("done ").and_then(|n| n.parse::<u64>().ok());
        together += n.with_context(|| format!("worker {i} answered {done:?}, not `done N`"))?;
    }
    procs.join()?;

    let count = shared.counter.get();
    let total = i64::from(args.workers) * i64::from(args.iters);
    let mut out = io::stdout();
    writeln!(out, "{count}")?; // usually < 1000000 due to race conditions
    writeln!(out, "lost {} of {total} updates", total - i64::from(count))?;
    if args.workers > 1 {
        let percent = (100.0 * together as f64 / total as f64).round();
        let turns = match percent < 50.0 && i64::from(count) < total {
            true => {
                ": the rest of the time they took turns, and a turn that ended between a get and its set lost the others' updates since that get"
            }
            false => "",
        };
        writeln!(
            out,
            "The processes counted at the same time for {percent}% of their increments{turns}."
        )?;
    }
    if i64::from(count) == total && args.workers > 1 {
        writeln!(
            out,
            "No update was lost this time: the processes took turns (one CPU, or a busy machine), \
             and a turn rarely ends in the few nanoseconds between a get and its set (Python's \
             take microseconds). On an idle multi-core machine, most runs lose many."
        )?;
    }
    Ok(())
}

/// Processes racing on one counter in shared memory (threadP-B.py).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// Worker processes, each incrementing the shared counter
    #[arg(long, default_value_t = 10, value_parser = workers)]
    workers: u16,
    /// Increments per process (at most 8,000,000: 256 x that still fits the i32 counter)
    #[arg(long, default_value_t = 100_000, value_parser = iters)]
    iters: u32,
    /// Run as a worker of process PARENT on the shared counter given as stdin
    #[arg(long, hide = true, value_name = "PARENT")]
    worker: Option<u32>,
}

/// The flags' whole numbers, each in its range (`number` is in procs.rs).
fn workers(s: &str) -> Result<u16, String> {
    number(s, 1..=256)
}

fn iters(s: &str) -> Result<u32, String> {
    number(s, 1..=8_000_000)
}

/// The worker side: map the counter, say "ready", count once the gate opens,
/// and say "done" with how many of its increments it made while another
/// process was counting too.
fn worker(parent: u32, args: &Args) -> Result<()> {
    procs::watch_parent(parent)?;
    let map = MmapRaw::map_raw(&io::stdin()).context("worker: cannot map its stdin")?;
    let shared = shared(&map)?;
    let from = shared.parent.load(Relaxed);
    ensure!(from == parent, "worker: its stdin is the shared file of {from}, not {parent}");
    writeln!(io::stdout(), "ready")?;
    // Its increments, 1000 at a time; a piece during which the counter did
    // not move by exactly 1000 was made while another process counted too.
    let (mut done, mut together) = (0, 0);
    while done < args.iters {
        let n = (args.iters - done).min(1000);
        let before = shared.counter.get(); // the first `get` waits at the gate
        increment(&shared.counter, n);
        let moved = shared.counter.get().wrapping_sub(before);
        together += if moved == n as i32 { 0 } else { n };
        done += n;
    }
    writeln!(io::stdout(), "done {together}")?;
    Ok(())
}

/// This same program, started again as a worker of this process (what
/// Python's `spawn` does): `--worker PARENT` tells `main` to run `worker`.
/// Its stdin is the shared file itself; its "ready" and "done" come back on
/// its stdout, and its stderr says why, if it fails.
fn worker_command(shm: &File, args: &Args) -> Result<Command> {
    let stdin = shm.try_clone().context("cannot hand the shared file to a worker")?;
    let exe = env::current_exe().context("cannot find this program to start a worker")?;
    let mut command = Command::new(exe);
    command
        .args(["--worker", &process::id().to_string()])
        .args(["--iters", &args.iters.to_string()]);
    command.stdin(stdin).stdout(Stdio::piped()).stderr(Stdio::piped());
    procs::end_with_parent(&mut command); // see procs.rs
    Ok(command)
}

/// What lives in the shared file.
#[repr(C)]
struct Shared {
    parent: AtomicU32, // the run's parent: a worker checks it has the right file
    counter: Value,    // the shared counter and its lock
}

/// `mp.Value('i', 0)`: an i32 with a lock next to it in shared memory, as
/// Python keeps a semaphore next to the value. `get` and `set` each take the
/// lock, as Python's `x.value` does; `get_lock` holds it across several steps.
#[repr(C)]
struct Value {
    lock: AtomicU32, // 0: free, 1: held
    value: AtomicI32,
}

impl Value {
    fn get(&self) -> i32 {
        self.get_lock().get()
    }

    fn set(&self, value: i32) {
        self.get_lock().set(value);
    }

    /// Waits until no process holds the lock, then takes it. Letting go of it
    /// (dropping `Locked`) frees it but, like a semaphore, hands over no CPU.
    fn get_lock(&self) -> Locked<'_> {
        while self.lock.swap(1, Acquire) != 0 {
            thread::yield_now(); // let the holder run
        }
        Locked(self)
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
        self.0.lock.store(0, Release);
    }
}

/// A temp file that only this run's processes hold (no run leaves it behind),
/// its `Shared` written now: a full disk is an error here, not in a worker.
fn shared_file() -> Result<File> {
    let dir = std::env::temp_dir();
    let mut file = tempfile::tempfile_in(&dir)
        .with_context(|| format!("cannot create the shared file in {}", dir.display()))?;
    file.write_all(&[0; size_of::<Shared>()])
        .with_context(|| format!("cannot write the shared file in {}", dir.display()))?;
    Ok(file)
}

/// The mapped bytes seen as the `Shared` they hold.
fn shared(map: &MmapRaw) -> Result<&Shared> {
    ensure!(map.len() == size_of::<Shared>(), "the shared file is not a counter");
    // SAFETY: the pointer comes from the mapping, which is page-aligned, as
    // large as a `Shared`, and outlives the reference (borrowed from `map`).
    // `Shared` is made of atomics, valid for any bytes, and every process
    // reads and writes these bytes only through them.
    Ok(unsafe { &*map.as_mut_ptr().cast::<Shared>() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_worker_alone_loses_nothing() {
        let counter = testkit::ends_within("increment", || {
            let counter = Value { lock: AtomicU32::new(0), value: AtomicI32::new(0) };
            increment(&counter, 1000);
            counter
        });
        assert_eq!(counter.get(), 1000);
        assert_eq!(counter.lock.load(Relaxed), 0, "the lock is free again");
    }

    #[test]
    fn increment_gets_and_sets_through_the_lock() {
        let x: &'static Value =
            Box::leak(Box::new(Value { lock: AtomicU32::new(0), value: AtomicI32::new(0) }));
        let held = x.get_lock();
        let adding = thread::spawn(|| increment(x, 1000));
        thread::sleep(std::time::Duration::from_millis(200));
        let counted = x.value.load(Relaxed);
        drop(held);
        testkit::ends_within("increment", move || adding.join().unwrap());
        assert_eq!(
            counted, 0,
            "increment counted while another process held the lock: use get and set"
        );
        assert_eq!(x.get(), 1000);
    }

    #[test]
    fn the_shared_file_starts_at_zero_and_is_seen_by_every_mapping() {
        let file = shared_file().unwrap();
        let (a, b) = (MmapRaw::map_raw(&file).unwrap(), MmapRaw::map_raw(&file).unwrap());
        let (a, b) = (shared(&a).unwrap(), shared(&b).unwrap());
        assert_eq!(a.counter.get(), 0);
        a.counter.set(41);
        b.counter.set(b.counter.get() + 1);
        assert_eq!(a.counter.get(), 42);
    }

    #[test]
    fn a_file_that_is_not_a_counter_is_refused() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&[0; 3]).unwrap();
        let err = shared(&MmapRaw::map_raw(&file).unwrap()).map(|_| ()).unwrap_err();
        assert_eq!(err.to_string(), "the shared file is not a counter");
    }
}
