//! `threadP.py` in Rust: ten threads each add 1 to one shared counter
//! 100,000 times. Python printed `1000000` every run: the GIL lets one
//! thread run at a time, so the race stays hidden.
//!
//! The lesson: Rust threads run truly in parallel, and safe Rust refuses to
//! compile the Python version at all (`error[E0499]: cannot borrow x as
//! mutable more than once at a time`; `tests/compile_fail.rs` checks it). So
//! the counter is shared explicitly, three ways, the threads held at a gate
//! so that they overlap. One run on a 2-core machine:
//!
//! ```text
//! load then store: 933873 of 1000000, time = 0.001 s
//! fetch_add:       1000000 of 1000000, time = 0.006 s
//! Mutex:           1000000 of 1000000, time = 0.012 s
//! The racing threads counted at the same time for 85% of their increments.
//! ```
//!
//! Python's `x += 1` is a read then a write: another thread's write in
//! between is lost. `fetch_add` makes it one indivisible step; a `Mutex`
//! holds a lock around it. The README says more.

use std::io::{self, Write};
use std::ops::RangeInclusive;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, RwLock};
use std::thread;

use anyhow::{Context, Result};
use clap::Parser;
use crossbeam_utils::CachePadded;

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
    exit(run(&Args::parse()))
}

/// Three experiments: the race, and two ways to fix it.
fn run(args: &Args) -> Result<()> {
    timing::warn_if_unoptimised();
    let (workers, iters) = (usize::from(args.workers), u64::from(args.iters));
    let total = u64::from(args.workers) * iters;
    let mut out = io::stdout();

    let x = AtomicU64::new(0);
    let (time, together) = run_together(workers, iters, |n| increment(&x, n))?;
    let raced = x.into_inner();
    writeln!(out, "load then store: {raced} of {total}, time = {time:.3} s")?;

    let x = AtomicU64::new(0);
    let (time, _) = run_together(workers, iters, |n| increment_fetch_add(&x, n))?;
    let count = x.into_inner();
    writeln!(out, "fetch_add:       {count} of {total}, time = {time:.3} s")?;

    let x = Mutex::new(0);
    let (time, _) = run_together(workers, iters, |n| increment_locked(&x, n))?;
    let count = x.into_inner().expect("no thread panics while holding the lock");
    writeln!(out, "Mutex:           {count} of {total}, time = {time:.3} s")?;

    if workers > 1 {
        let percent = (together * 100.0).round();
        writeln!(
            out,
            "The racing threads counted at the same time for {percent}% of their increments."
        )?;
    }
    if raced == total && workers > 1 {
        writeln!(
            out,
            "No update was lost this time: the threads took turns (one CPU, or a busy machine), and a \
             turn rarely ends between the load and the store. On an idle multi-core machine, most runs lose some."
        )?;
    }
    Ok(())
}

/// Threads racing on one counter, and two fixes (threadP.py).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// Threads, each incrementing the shared counter
    #[arg(long, default_value_t = 10, value_parser = workers)]
    workers: u16,
    /// Increments per thread
    #[arg(long, default_value_t = 100_000, value_parser = iters)]
    iters: u32,
}

/// The flags' whole numbers, each in its range (`number` is below).
fn workers(s: &str) -> Result<u16, String> {
    number(s, 1..=256)
}

fn iters(s: &str) -> Result<u32, String> {
    number(s, 1..=1_000_000_000)
}

/// `threads = [Thread(target=f) ...]; start(); join()`, each thread running
/// `f(n)` until it has done `iters`, in pieces of 1000. The threads wait at a
/// gate, held shut until all of them have started, so that they overlap.
/// Returns the seconds from the gate's opening to the last thread's end, and
/// the share of the pieces during which another thread did a piece too: on
/// one CPU, or a busy one, the threads take turns instead.
fn run_together(workers: usize, iters: u64, f: impl Fn(u64) + Sync) -> Result<(f64, f64)> {
    let gate = RwLock::new(());
    let pieces: Vec<CachePadded<AtomicU64>> =
        (0..workers).map(|_| CachePadded::default()).collect();
    let others = |i: usize| -> u64 {
        pieces.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, p)| p.load(Relaxed)).sum()
    };
    thread::scope(|s| {
        let shut = gate.write().expect("a new lock is not poisoned");
        let mut threads = Vec::new();
        for i in 0..workers {
            let (gate, f, pieces, others) = (&gate, &f, &pieces, &others);
            let thread = thread::Builder::new().spawn_scoped(s, move || {
                drop(gate.read()); // wait until the gate opens
                let (mut done, mut together, mut before) = (0, 0, others(i));
                while done < iters {
                    let n = (iters - done).min(1000);
                    f(n);
                    pieces[i].fetch_add(1, Relaxed);
                    let after = others(i);
                    together += u64::from(after != before) * n;
                    (before, done) = (after, done + n);
                }
                together
            });
            // On an error `shut` is dropped: the threads started so far run and end.
            threads.push(thread.context("cannot start a thread")?);
        }
        let start = timing::now();
        drop(shut); // open the gate: every thread counts at once
        let mut together = 0;
        for thread in threads {
            together += thread.join().expect("the counting cannot panic");
        }
        Ok((timing::since(start), together as f64 / (workers as u64 * iters) as f64))
    })
}

/// How `main` ends: exit code 0, or one line `error: ...` and exit code 1.
/// A write to a pipe whose reader has gone (`| head`) ends quietly, as
/// `seq 10 | head -1` does.
fn exit(result: Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(io::stderr(), "error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.downcast_ref::<io::Error>().is_some_and(|err| err.kind() == io::ErrorKind::BrokenPipe)
}

/// A flag's value: a whole number in `range`, with `_` between digits as in
/// Python (`50_000_000`). What it refuses reads as clap's own refusals do.
fn number<T: TryFrom<i128>>(s: &str, range: RangeInclusive<i128>) -> Result<T, String> {
    // `_` only between digits, as Python's int() takes it: not `_1`, `1_`, `1__0`.
    let digits = s.trim_start_matches(['-', '+']);
    let between = !digits.starts_with('_') && !digits.ends_with('_') && !s.contains("__");
    let s = if between { s.replace('_', "") } else { s.to_owned() };
    let n: i128 = s.parse().map_err(|err| format!("{err}"))?;
    let refused = format!("{n} is not in {}..={}", range.start(), range.end());
    match range.contains(&n) {
        true => T::try_from(n).map_err(|_| refused),
        false => Err(refused),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_thread_never_loses_an_update() {
        let x = AtomicU64::new(0);
        run_together(1, 1000, |n| increment(&x, n)).unwrap();
        assert_eq!(x.into_inner(), 1000);
    }

    #[test]
    fn increment_fetch_add_is_exact_with_many_threads() {
        let count = testkit::ends_within("increment_fetch_add", || {
            let x = AtomicU64::new(0);
            run_together(8, 100_000, |n| increment_fetch_add(&x, n)).unwrap();
            x.into_inner()
        });
        assert_eq!(count, 800_000, "increment_fetch_add lost updates");
    }

    #[test]
    fn increment_fetch_add_adds_one_at_a_time_where_other_threads_see_it() {
        let seen = testkit::ends_within("increment_fetch_add", || {
            testkit::seen_growing(increment_fetch_add)
        });
        assert!(
            seen,
            "increment_fetch_add: x went from 0 to the end in one step: add 1, iters times"
        );
    }

    #[test]
    fn increment_locked_is_exact_with_many_threads() {
        let count = testkit::ends_within("increment_locked", || {
            let m = Mutex::new(0);
            run_together(8, 100_000, |n| increment_locked(&m, n)).unwrap();
            m.into_inner().unwrap()
        });
        assert_eq!(count, 800_000, "increment_locked lost updates");
    }

    #[test]
    fn the_racy_count_never_exceeds_the_total() {
        let x = AtomicU64::new(0);
        run_together(8, 10_000, |n| increment(&x, n)).unwrap();
        assert!((1..=80_000).contains(&x.into_inner()));
    }
}
