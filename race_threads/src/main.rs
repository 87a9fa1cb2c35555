//! `threadP.py` in Rust: ten threads each add 1 to one shared counter
//! 100,000 times.
//!
//! In the lecture Python printed `1000000` every run: the GIL lets one thread
//! run at a time, so the race stays hidden. Rust threads run truly in
//! parallel, and safe Rust refuses to compile the Python version at all:
//!
//! ```text
//! let mut x = 0;
//! thread::scope(|s| {
//!     for _ in 0..10 {
//!         s.spawn(|| for _ in 0..100_000 { x += 1 });
//!     }
//! });
//! error[E0499]: cannot borrow `x` as mutable more than once at a time
//! ```
//!
//! (`tests/compile_fail.rs` checks that it still does not compile.) So the
//! counter must be shared explicitly. This program runs three counters, all
//! threads held at a gate until every one has started, so that they really
//! overlap (one run on a 2-core machine):
//!
//! ```text
//! load then store: 742078 of 1000000, time = 0.000 s
//! fetch_add:       1000000 of 1000000, time = 0.017 s
//! Mutex:           1000000 of 1000000, time = 0.100 s
//! ```
//!
//! The first is Python's `x += 1` made of two atomic steps, read x, then
//! write x + 1: another thread's write in between is lost, so on a multi-core
//! machine the count is usually short, by a different amount every run. On
//! one CPU, or a busy machine, the threads take turns instead, and a turn
//! rarely ends between the load and the store: the program says so when
//! nothing was lost. `fetch_add` makes the read-modify-write one indivisible
//! step; a `Mutex` holds a lock around it. Both are exact every time; the
//! times show the price. (On x86-64 the compiler turns the load and the store
//! into one `inc` of memory, still a read and a write that another core can
//! slip between, and `fetch_add` into `lock inc`: one prefix is the fix.)

use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, RwLock};
use std::thread;

use anyhow::{Context, Result};
use clap::Parser;

/// Threads racing on one counter, and two fixes (threadP.py).
#[derive(Parser)]
struct Args {
    /// Threads, each incrementing the shared counter
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=256), allow_hyphen_values = true)]
    workers: u16,
    /// Increments per thread
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000_000), allow_hyphen_values = true)]
    iters: u32,
}

/// Python's `x += 1`: read x, then write x + 1, as two separate steps.
fn increment(x: &AtomicU64, iters: u64) {
    for _ in 0..iters {
        let value = x.load(Relaxed);
        x.store(value + 1, Relaxed);
    }
}

/// The lock-free fix: read, add and write in one indivisible step.
fn increment_fetch_add(x: &AtomicU64, iters: u64) {
    for _ in 0..iters {
        x.fetch_add(1, Relaxed);
    }
}

/// The locking fix: hold the lock across the read-modify-write.
fn increment_locked(x: &Mutex<u64>, iters: u64) {
    for _ in 0..iters {
        *x.lock().expect("no thread panics while holding the lock") += 1;
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        // `| head` stopped reading: nobody to tell.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Three experiments: the race, and two ways to fix it.
fn run(args: &Args) -> Result<()> {
    if cfg!(debug_assertions) {
        // Cargo's default dev profile: a copy that left [profile.dev] behind.
        eprintln!("warning: built without optimisation: the times below are up to 10x too slow");
    }
    let (workers, iters) = (usize::from(args.workers), u64::from(args.iters));
    let total = u64::from(args.workers) * iters;
    let mut out = io::stdout();

    let x = AtomicU64::new(0);
    let time = run_together(workers, || increment(&x, iters))?;
    let raced = x.into_inner();
    writeln!(
        out,
        "load then store: {raced} of {total}, time = {time:.3} s"
    )?;

    let x = AtomicU64::new(0);
    let time = run_together(workers, || increment_fetch_add(&x, iters))?;
    let count = x.into_inner();
    writeln!(
        out,
        "fetch_add:       {count} of {total}, time = {time:.3} s"
    )?;

    let x = Mutex::new(0);
    let time = run_together(workers, || increment_locked(&x, iters))?;
    let count = x
        .into_inner()
        .expect("no thread panics while holding the lock");
    writeln!(
        out,
        "Mutex:           {count} of {total}, time = {time:.3} s"
    )?;

    if raced == total && workers > 1 {
        writeln!(
            out,
            "No update was lost this time: the threads took turns (one CPU, or a busy machine), and a \
             turn rarely ends between the load and the store. On an idle multi-core machine, most runs lose some."
        )?;
    }
    Ok(())
}

/// `threads = [Thread(target=f) ...]; start(); join()`. The threads wait at a
/// gate, held shut until all of them have started, so that they overlap.
/// Returns the seconds from the gate's opening to the last thread's end.
fn run_together(workers: usize, f: impl Fn() + Sync) -> Result<f64> {
    let gate = RwLock::new(());
    thread::scope(|s| {
        let shut = gate.write().expect("a new lock is not poisoned");
        let mut threads = Vec::new();
        for _ in 0..workers {
            let thread = thread::Builder::new().spawn_scoped(s, || {
                drop(gate.read()); // wait until the gate opens
                f();
            });
            // On an error `shut` is dropped: the threads started so far run and end.
            threads.push(thread.context("cannot start a thread")?);
        }
        let start = timing::now();
        drop(shut); // open the gate: every thread counts at once
        for thread in threads {
            thread.join().expect("the counting cannot panic");
        }
        Ok(timing::since(start))
    })
}

/// Was this a write to a pipe whose reader has gone (`| head`)?
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.downcast_ref::<io::Error>()
        .is_some_and(|err| err.kind() == io::ErrorKind::BrokenPipe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_thread_never_loses_an_update() {
        let x = AtomicU64::new(0);
        run_together(1, || increment(&x, 1000)).unwrap();
        assert_eq!(x.into_inner(), 1000);
    }

    #[test]
    fn the_fixes_are_exact_with_many_threads() {
        let x = AtomicU64::new(0);
        run_together(8, || increment_fetch_add(&x, 10_000)).unwrap();
        assert_eq!(x.into_inner(), 80_000);
        let m = Mutex::new(0);
        run_together(8, || increment_locked(&m, 10_000)).unwrap();
        assert_eq!(m.into_inner().unwrap(), 80_000);
    }

    #[test]
    fn the_racy_count_never_exceeds_the_total() {
        let x = AtomicU64::new(0);
        run_together(8, || increment(&x, 10_000)).unwrap();
        assert!((1..=80_000).contains(&x.into_inner()));
    }
}
