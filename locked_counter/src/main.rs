//! `lockedCounter.py` in Rust: four processes each add 1 to one counter in
//! shared memory 100,000 times, holding its lock (`with x.get_lock()`)
//! around each increment. The slide says `Output is 400000`.
//!
//! The lesson: with the lock held across the get and the set, no process can
//! slip in between, and the count is exact, every run. `fetch_add` is just
//! as exact with no lock at all: one indivisible read-modify-write. One run
//! on a 2-core machine (the times include starting the processes):
//!
//! ```text
//! 400000
//! get_lock:  400000 of 400000, time = 0.005 s
//! fetch_add: 400000 of 400000, time = 0.004 s
//! ```
//!
//! As in Python, the lock lives in the shared memory next to the value, and
//! the workers wait at a start gate. The README says more; `procs.rs` is plumbing.

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

/// `with x.get_lock(): x.value += 1`, the lock held across the get and the set.
fn increment(x: &Value, iters: u32) {
    for _ in 0..iters {
        let x = x.get_lock();
        x.set(x.get() + 1);
    } // the lock is released here, where Python's `with` block ends
}

/// The lock-free alternative: read, add and write in one indivisible step.
fn increment_fetch_add(x: &Value, iters: u32) {
    for _ in 0..iters {
        x.value.fetch_add(1, Relaxed);
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

/// The Python script's main block, then the same without a lock.
fn run(args: &Args) -> Result<()> {
    timing::warn_if_unoptimised();
    let total = i64::from(args.workers) * i64::from(args.iters);
    let mut out = io::stdout();

    let start = timing::now();
    let locked = count_in_processes(args, false)?;
    let time = timing::since(start);
    writeln!(out, "{locked}")?; // Output is 400000
    writeln!(out, "get_lock:  {locked} of {total}, time = {time:.3} s")?;

    let start = timing::now();
    let lock_free = count_in_processes(args, true)?;
    let time = timing::since(start);
    writeln!(out, "fetch_add: {lock_free} of {total}, time = {time:.3} s")?;
    Ok(())
}

/// A lock in shared memory makes a shared counter exact (lockedCounter.py).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// Worker processes, each incrementing the shared counter
    #[arg(long, default_value_t = 4, value_parser = workers)]
    workers: u16,
    /// Increments per process (at most 8,000,000: 256 x that still fits the i32 counter)
    #[arg(long, default_value_t = 100_000, value_parser = iters)]
    iters: u32,
    /// Run as a worker of process PARENT on the shared counter given as stdin
    #[arg(long, hide = true, value_name = "PARENT")]
    worker: Option<u32>,
    /// As a worker, count with fetch_add instead of the lock
    #[arg(long, hide = true, requires = "worker")]
    fetch_add: bool,
}

/// The flags' whole numbers, each in its range (`number` is in procs.rs).
fn workers(s: &str) -> Result<u16, String> {
    number(s, 1..=256)
}

fn iters(s: &str) -> Result<u32, String> {
    number(s, 1..=8_000_000)
}

/// `x = Value('i', 0)`, the processes started and joined; returns `x.value`.
fn count_in_processes(args: &Args, fetch_add: bool) -> Result<i32> {
    let shm = shared_file()?;
    let map = MmapRaw::map_raw(&shm).context("cannot map the shared file")?;
    let shared = shared(&map)?;
    shared.parent.store(process::id(), Relaxed);

    // The start gate: the parent holds the lock until every worker is ready.
    let gate = shared.counter.get_lock();
    let mut procs = Procs::new();
    for _ in 0..args.workers {
        let worker = worker_command(&shm, args, fetch_add)?.spawn();
        procs.watch(worker.context("cannot start a worker")?, 2)?; // it owes "ready", then "done"
    }
    for _ in 0..args.workers {
        procs.next_line()?; // "ready": it waits at the gate
    }
    drop(gate); // all of them count at once
    procs.join()?; // each says "done" as it ends
    Ok(shared.counter.get_lock().get()) // x.value
}

/// The worker side: map the counter, say "ready", count once the gate opens.
fn worker(parent: u32, args: &Args) -> Result<()> {
    procs::watch_parent(parent)?;
    let map = MmapRaw::map_raw(&io::stdin()).context("worker: cannot map its stdin")?;
    let shared = shared(&map)?;
    let from = shared.parent.load(Relaxed);
    ensure!(from == parent, "worker: its stdin is the shared file of {from}, not {parent}");
    writeln!(io::stdout(), "ready")?;
    drop(shared.counter.get_lock()); // the gate is open once the lock is free
    match args.fetch_add {
        true => increment_fetch_add(&shared.counter, args.iters),
        false => increment(&shared.counter, args.iters),
    }
    writeln!(io::stdout(), "done")?;
    Ok(())
}

/// This same program, started again as a worker of this process (what
/// Python's `spawn` does): `--worker PARENT` tells `main` to run `worker`.
/// Its stdin is the shared file itself; its "ready" and "done" come back on
/// its stdout, and its stderr says why, if it fails.
fn worker_command(shm: &File, args: &Args, fetch_add: bool) -> Result<Command> {
    let stdin = shm.try_clone().context("cannot hand the shared file to a worker")?;
    let exe = env::current_exe().context("cannot find this program to start a worker")?;
    let mut command = Command::new(exe);
    command
        .args(["--worker", &process::id().to_string()])
        .args(["--iters", &args.iters.to_string()]);
    command.stdin(stdin).stdout(Stdio::piped()).stderr(Stdio::piped());
    if fetch_add {
        command.arg("--fetch-add");
    }
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
/// Python keeps a semaphore next to the value; `get_lock` holds it.
#[repr(C)]
struct Value {
    lock: AtomicU32, // 0: free, 1: held
    value: AtomicI32,
}

impl Value {
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
    fn increments_under_the_lock_are_exact_across_threads() {
        let count = testkit::ends_within("increment", || {
            let x = Value { lock: AtomicU32::new(0), value: AtomicI32::new(0) };
            thread::scope(|s| {
                for _ in 0..4 {
                    s.spawn(|| increment(&x, 100_000));
                }
            });
            x.get_lock().get()
        });
        assert_eq!(
            count, 400_000,
            "increment lost updates: hold the lock across the get and the set"
        );
        let x = Value { lock: AtomicU32::new(0), value: AtomicI32::new(0) };
        thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| increment_fetch_add(&x, 1000));
            }
        });
        assert_eq!(x.get_lock().get(), 4000);
    }

    #[test]
    fn increment_waits_while_another_holds_the_lock() {
        let x: &'static Value =
            Box::leak(Box::new(Value { lock: AtomicU32::new(0), value: AtomicI32::new(0) }));
        let held = x.get_lock();
        let adding = thread::spawn(|| increment(x, 1000));
        thread::sleep(std::time::Duration::from_millis(200));
        let counted = x.value.load(Relaxed);
        drop(held);
        testkit::ends_within("increment", move || adding.join().unwrap());
        assert_eq!(counted, 0, "increment counted while another process held the lock");
        assert_eq!(x.get_lock().get(), 1000);
    }

    #[test]
    fn the_lock_excludes_a_second_taker_until_released() {
        let x = Value { lock: AtomicU32::new(0), value: AtomicI32::new(0) };
        let held = x.get_lock();
        assert_eq!(x.lock.load(Relaxed), 1);
        thread::scope(|s| {
            let waiter = s.spawn(|| x.get_lock().get());
            thread::sleep(std::time::Duration::from_millis(50));
            assert!(!waiter.is_finished(), "the get waits for the lock");
            held.set(7);
            drop(held);
            assert_eq!(waiter.join().unwrap(), 7);
        });
    }

    #[test]
    fn the_shared_file_is_one_counter_seen_by_every_mapping() {
        let file = shared_file().unwrap();
        let (a, b) = (MmapRaw::map_raw(&file).unwrap(), MmapRaw::map_raw(&file).unwrap());
        let (a, b) = (shared(&a).unwrap(), shared(&b).unwrap());
        a.counter.get_lock().set(5);
        increment_fetch_add(&b.counter, 5);
        assert_eq!(a.counter.get_lock().get(), 10);
    }
}
