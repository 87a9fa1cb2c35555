//! Synchronisation, the topic of the lecture folder's `sync.c`, `syncB.c`,
//! `syncL.c` and `syncM.c` (names only: their code was not shown). Threads
//! add to one counter, each addition a little work done under the lock:
//! with no lock, a spin lock, a `Mutex`, and `fetch_add`.
//!
//! The lesson: a spin lock waits by running. With a thread per CPU the one
//! that waits takes the lock the moment it is let go, as fast as a mutex or
//! faster; with more threads than CPUs the holder is taken off its CPU, and
//! the others spin out their time slices while a mutex's waiters sleep
//! (docs/lessons.md, "spin_lock"). On 2 cores:
//!
//! ```text
//! 2 threads, one a CPU (100000 additions each, 200 steps of work in each):
//!   no lock:   112448 of 200000, time = 0.062 s, CPU time = 0.124 s
//!   spin lock: 200000 of 200000, time = 0.131 s, CPU time = 0.262 s
//!   Mutex:     200000 of 200000, time = 0.146 s, CPU time = 0.205 s
//!   fetch_add: 200000 of 200000, time = 0.058 s, CPU time = 0.116 s
//! ```

mod cli;
mod timed;
mod together;

use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::{Mutex, atomic::AtomicBool, atomic::AtomicU64};

use anyhow::Result;
use clap::Parser;
use crossbeam_utils::CachePadded;

fn main() -> std::process::ExitCode {
    cli::end_on_panic();
    cli::exit(run(&Args::parse()))
}

/// The four ways, with a thread per CPU, then with more threads than CPUs.
fn run(args: &Args) -> Result<()> {
    let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let (iters, steps) = (u64::from(args.iters), args.work);
    let (mut out, mut found) = (std::io::stdout(), Vec::new());
    for workers in [cpus, args.workers.map_or(4 * cpus, usize::from)] {
        let mut ways = timed::Ways::new(&mut out, workers, cpus, iters, steps)?; // see timed.rs
        let counter = AtomicU64::new(0);
        ways.time("no lock", |n| add_unlocked(&counter, n, steps), || counter.load(Relaxed))?;
        // Each on a cache line of its own: the waiters' swaps take the lock's line.
        let lock = CachePadded::new(SpinLock { locked: AtomicBool::new(false) });
        let counter = CachePadded::new(AtomicU64::new(0));
        let add = |n| add_spin_locked(&lock, &counter, n, steps);
        ways.time("spin lock", add, || counter.load(Relaxed))?;
        let counter = Mutex::new(0);
        let count = || *counter.lock().expect("no thread panics holding it");
        ways.time("Mutex", |n| add_mutex_locked(&counter, n, steps), count)?;
        let counter = AtomicU64::new(0);
        ways.time("fetch_add", |n| add_fetch_add(&counter, n, steps), || counter.load(Relaxed))?;
        found.push(ways.found());
    }
    timed::lesson(&mut out, cpus, &found, args.timeline.svg())
}

/// One counter, four ways to add to it (the folder's sync*.c).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// Threads in the second run (the first has one per CPU) [default: 4 per CPU]
    #[arg(long, value_parser = cli::workers)]
    workers: Option<u16>,
    /// Additions per thread
    #[arg(long, default_value_t = 200_000, value_parser = cli::iters)]
    iters: u32,
    /// Steps of work in each addition, done while holding the lock (about 1 ns each)
    #[arg(long, default_value_t = 50, value_parser = cli::steps)]
    work: u32,
    #[command(flatten)]
    timeline: cli::Timeline,
}

/// The work done for each addition, while holding the lock: `steps` rounds
/// of a little arithmetic, about a nanosecond each. It gives 1, to add.
fn work(steps: u32) -> u64 {
    let mut x = 1_u64;
    for _ in 0..steps {
        x = std::hint::black_box(x.wrapping_mul(3) | 1);
    }
    x & 1
}

/// sync.c: no lock. A load, the work, a store: additions that other threads
/// made in between are lost.
fn add_unlocked(counter: &AtomicU64, n: u64, steps: u32) {
    for _ in 0..n {
        let value = counter.load(Relaxed);
        counter.store(value + work(steps), Relaxed);
    }
}

/// syncB.c, syncL.c: a spin lock (as "Rust Atomics and Locks", chapter 4,
/// writes it). `swap(true)` takes it if it was free; a thread that finds it
/// taken tries again at once, running all the while.
struct SpinLock {
    locked: AtomicBool,
}

impl SpinLock {
    fn lock(&self) -> SpinGuard<'_> {
        while self.locked.swap(true, Acquire) {
            std::hint::spin_loop(); // tells the CPU that this thread is waiting
        }
        SpinGuard { lock: self }
    }
}

/// The lock, held: dropping it lets the lock go, as a `MutexGuard` does.
struct SpinGuard<'a> {
    lock: &'a SpinLock,
}

impl Drop for SpinGuard<'_> {
    fn drop(&mut self) {
        self.lock.locked.store(false, Release);
    }
}

/// Each addition under the spin lock: no other thread between the load and
/// the store. (The book keeps the value inside the lock, which takes
/// `unsafe`; here it is an atomic that only the lock's holder writes.)
fn add_spin_locked(lock: &SpinLock, counter: &AtomicU64, n: u64, steps: u32) {
    for _ in 0..n {
        let _held = lock.lock();
        counter.store(counter.load(Relaxed) + work(steps), Relaxed);
    }
}

/// syncM.c: a mutex. A thread that finds it taken sleeps until it is let go.
fn add_mutex_locked(counter: &Mutex<u64>, n: u64, steps: u32) {
    for _ in 0..n {
        *counter.lock().expect("no thread panics holding it") += work(steps);
    }
}

/// No lock at all, where the work allows it: the work needs none, and the
/// addition is one indivisible step.
fn add_fetch_add(counter: &AtomicU64, n: u64, steps: u32) {
    for _ in 0..n {
        let one = work(steps);
        counter.fetch_add(one, Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;

    #[test]
    fn every_way_but_no_lock_is_exact() {
        for workers in [1, 3] {
            let counter = AtomicU64::new(0);
            together::run(workers, 2000, 100, |_, n| add_fetch_add(&counter, n, 5));
            assert_eq!(counter.into_inner(), workers as u64 * 2000);
            let counter = Mutex::new(0);
            together::run(workers, 2000, 100, |_, n| add_mutex_locked(&counter, n, 5));
            assert_eq!(counter.into_inner().unwrap(), workers as u64 * 2000);
            let counter = AtomicU64::new(0);
            together::run(workers, 2000, 100, |_, n| add_unlocked(&counter, n, 5));
            assert!((1..=workers as u64 * 2000).contains(&counter.into_inner()));
        }
    }

    const LOCK: &str = "SpinLock::lock";

    #[test]
    fn the_spin_lock_is_held_until_its_guard_is_dropped() {
        testkit::judged("SpinLock::lock and SpinGuard::drop", || {
            let lock = SpinLock { locked: AtomicBool::new(false) };
            let held = lock.lock();
            if !lock.locked.load(Relaxed) {
                return Err(format!("{LOCK}: locked is still false once it returned"));
            }
            drop(held);
            if lock.locked.load(Relaxed) {
                return Err(
                    "SpinGuard::drop: locked is still true once the guard is dropped".into()
                );
            }
            drop(lock.lock()); // and it can be taken again
            Ok(())
        });
    }

    /// Four threads take the lock again and again, and each checks, while
    /// it holds it, that no other holds it too.
    #[test]
    fn only_one_thread_holds_the_spin_lock_at_a_time() {
        testkit::judged("SpinLock::lock and SpinGuard::drop", || {
            let (lock, inside) =
                (SpinLock { locked: AtomicBool::new(false) }, AtomicBool::new(false));
            let (counter, twice) = (AtomicU64::new(0), AtomicU64::new(0));
            drop(lock.lock()); // here, a todo! left is named
            thread::scope(|s| {
                for _ in 0..4 {
                    s.spawn(|| {
                        for _ in 0..200_000 {
                            let _held = lock.lock();
                            if inside.swap(true, Relaxed) {
                                twice.fetch_add(1, Relaxed);
                            }
                            counter.store(counter.load(Relaxed) + 1, Relaxed);
                            inside.store(false, Relaxed);
                        }
                    });
                }
            });
            match (twice.into_inner(), counter.into_inner()) {
                (0, 800_000) => Ok(()),
                (0, count) => {
                    Err(format!("{LOCK}: additions under the lock were lost: {count} of 800000"))
                }
                (twice, _) => Err(format!(
                    "{LOCK}: two threads held the lock at once, {twice} times: take it in one \
                     indivisible step (swap, or compare_exchange), not a load and then a store"
                )),
            }
        });
    }

    /// What running cannot show (an x86-64 CPU orders these anyway): the
    /// orderings, read from the code.
    #[test]
    fn the_lock_is_taken_with_acquire_and_let_go_with_release() {
        use std::sync::atomic::Ordering::{self, AcqRel, SeqCst};
        use testkit::Access;
        let source = include_str!("main.rs");
        for (name, f) in [(LOCK, "lock"), ("SpinGuard::drop", "drop")] {
            let left = testkit::body_of(source, f).contains("todo!(");
            assert!(!left, "{name} is still to write (its todo! is left)");
        }
        let acquire = |o: &Ordering| matches!(o, Acquire | AcqRel | SeqCst);
        let release = |o: &Ordering| matches!(o, Release | AcqRel | SeqCst);
        let lock = testkit::accesses(source, "lock").unwrap_or_else(|why| panic!("{LOCK}: {why}"));
        let taken =
            lock.iter().any(|a| matches!(a, Access::Load(o) | Access::Fence(o) if acquire(o)));
        assert!(taken, "{LOCK}: the lock is not taken with Acquire: {lock:?}");
        let unlock = testkit::accesses(source, "drop")
            .unwrap_or_else(|why| panic!("SpinGuard::drop: {why}"));
        let let_go =
            unlock.iter().any(|a| matches!(a, Access::Store(o) | Access::Fence(o) if release(o)));
        assert!(let_go, "SpinGuard::drop: the lock is not let go with Release: {unlock:?}");
    }
}
