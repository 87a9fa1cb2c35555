//! False sharing, the topic of the lecture folder's `cacheC.c`,
//! `cacheSharing.c`, `fs.c` and `fs-v2.c` (names only: their code is not in
//! our material; there is no Python script, since the GIL runs one thread).
//!
//! Each thread adds 1 to a counter of its own, so no value is shared. Once
//! the counters lie side by side, once each on a cache line of its own.
//! One run on a 2-core machine:
//!
//! ```text
//! Next to each other: 20000000 of 20000000, time = 0.123 s (8 bytes apart)
//! Own cache lines:    20000000 of 20000000, time = 0.024 s (128 bytes apart)
//! Ratio: 5.15x with 2 threads: no value is shared, but the cache line is.
//! ```
//!
//! The lesson: a core writes a cache line (64 bytes) only while it holds the
//! only copy, so two cores writing one line pass it to and fro at every
//! write. What that costs depends on the cores (how far apart, whether they
//! share a cache); threads on one core pay nothing. The README says more.

use std::io::{self, Write};
use std::num::NonZero;
use std::ops::RangeInclusive;
use std::process::ExitCode;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::thread;

use anyhow::{Context, Result};
use clap::Parser;
use crossbeam_utils::CachePadded;

/// Each thread's work: add 1 to its own counter, `iters` times. The counter
/// is atomic only so that every addition really reaches memory (a plain
/// `u64` would be added up in a register and written once).
fn increment(counter: &AtomicU64, iters: u64) {
    for _ in 0..iters {
        counter.fetch_add(1, Relaxed);
    }
}

/// One counter per thread, 8 bytes each, side by side: 8 to a 64-byte line.
fn adjacent_counters(workers: usize) -> Vec<AtomicU64> {
    (0..workers).map(|_| AtomicU64::new(0)).collect()
}

/// One counter per thread, each padded to a cache line of its own: 128
/// bytes on x86-64 (whose cores fetch lines in pairs) and on Apple silicon.
fn padded_counters(workers: usize) -> Vec<CachePadded<AtomicU64>> {
    (0..workers).map(|_| CachePadded::new(AtomicU64::new(0))).collect()
}

fn main() -> ExitCode {
    exit(run(&Args::parse()))
}

/// Two experiments: the same threads and counters, laid out two ways.
fn run(args: &Args) -> Result<()> {
    timing::warn_if_unoptimised();
    let cpus = thread::available_parallelism().map_or(1, NonZero::get);
    let workers = args.workers.map_or(cpus, usize::from);
    let iters = u64::from(args.iters);
    let total = workers as u64 * iters;
    let mut out = io::stdout();

    let adjacent = adjacent_counters(workers);
    let adjacent_time = run_together(workers, |i| increment(&adjacent[i], iters))?;
    let count: u64 = adjacent.iter().map(|c| c.load(Relaxed)).sum();
    let apart = size_of_val(&adjacent[0]); // the bytes from one counter to the next
    writeln!(
        out,
        "Next to each other: {count} of {total}, time = {adjacent_time:.3} s ({apart} bytes apart)"
    )?;

    let padded = padded_counters(workers);
    let padded_time = run_together(workers, |i| increment(&padded[i], iters))?;
    let count: u64 = padded.iter().map(|c| c.load(Relaxed)).sum();
    let apart = size_of_val(&padded[0]);
    writeln!(
        out,
        "Own cache lines:    {count} of {total}, time = {padded_time:.3} s ({apart} bytes apart)"
    )?;

    let ratio = adjacent_time / padded_time;
    let threads = if workers == 1 { "thread" } else { "threads" };
    if workers > 1 && cpus > 1 {
        writeln!(
            out,
            "Ratio: {ratio:.2}x with {workers} {threads}: no value is shared, but the cache line is."
        )?;
    } else {
        writeln!(out, "Ratio: {ratio:.2}x with {workers} {threads}")?;
        let why = match workers {
            1 => "One thread, one counter: no other core wanted its cache line",
            _ => "One CPU ran every thread: the cache line never left its core",
        };
        writeln!(
            out,
            "{why}, so both layouts take about as long. Run two threads on two cores or more to see the difference."
        )?;
    }
    Ok(())
}

/// Threads that each add to their own counter, laid out two ways (fs.c).
#[derive(Parser)]
struct Args {
    /// Threads, each adding to its own counter [default: all CPUs]
    #[arg(long, value_parser = number::<u16>(1..=256), allow_hyphen_values = true)]
    workers: Option<u16>,
    /// Additions per thread
    #[arg(long, default_value_t = 10_000_000, value_parser = number::<u32>(1..=1_000_000_000), allow_hyphen_values = true)]
    iters: u32,
}

/// Starts `workers` threads, thread i running `f(i)`. The threads wait at a
/// gate, held shut until all of them have started, so that they overlap.
/// Returns the seconds from the gate's opening to the last thread's end.
fn run_together(workers: usize, f: impl Fn(usize) + Sync) -> Result<f64> {
    let gate = RwLock::new(());
    thread::scope(|s| {
        let shut = gate.write().expect("a new lock is not poisoned");
        let mut threads = Vec::new();
        for i in 0..workers {
            let (gate, f) = (&gate, &f);
            let thread = thread::Builder::new().spawn_scoped(s, move || {
                drop(gate.read()); // wait until the gate opens
                f(i);
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

/// A flag's value: a whole number in `range`, with `_` allowed as in Python
/// (`50_000_000`). What it refuses reads as clap's own refusals do.
fn number<T>(range: RangeInclusive<i128>) -> impl Fn(&str) -> Result<T, String> + Clone
where
    T: TryFrom<i128>,
{
    move |s| {
        let n: i128 = s.replace('_', "").parse().map_err(|err| format!("{err}"))?;
        let refused = || format!("{n} is not in {}..={}", range.start(), range.end());
        match range.contains(&n) {
            true => T::try_from(n).map_err(|_| refused()),
            false => Err(refused()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_thread_counts_its_own_counter_exactly() {
        let counters = adjacent_counters(8);
        run_together(8, |i| increment(&counters[i], 1000 + i as u64)).unwrap();
        let counts: Vec<u64> = counters.iter().map(|c| c.load(Relaxed)).collect();
        assert_eq!(counts, (1000..1008).collect::<Vec<u64>>());
    }

    #[test]
    fn increment_adds_one_at_a_time_where_other_threads_see_it() {
        let seen = testkit::ends_within("increment", || testkit::seen_growing(increment));
        assert!(
            seen,
            "increment: the counter went from 0 to the end in one step: add 1, iters times"
        );
    }

    #[test]
    fn adjacent_counters_share_a_line_and_padded_ones_do_not() {
        let (adjacent, padded) = (adjacent_counters(2), padded_counters(2));
        let distance = |a: *const AtomicU64, b: *const AtomicU64| b as usize - a as usize;
        assert_eq!(distance(&adjacent[0], &adjacent[1]), 8);
        let apart = distance(&*padded[0], &*padded[1]);
        assert!(apart >= 64, "padded_counters: {apart} bytes apart, less than a cache line");
        assert_eq!(size_of_val(&padded[0]), apart, "the run prints this distance");
    }
}
