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
//! The threads added at the same time for 99% of their additions; ...
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

/// Two experiments: the same threads and counters, laid out two ways. They
/// take turns, block after block, so that whatever else the machine does
/// strikes both alike; and each thread notes how much of its work it did
/// while another thread was working too, since only then can a cache line
/// have to travel between cores.
fn run(args: &Args) -> Result<()> {
    timing::warn_if_unoptimised();
    let cpus = thread::available_parallelism().map_or(1, NonZero::get);
    let workers = args.workers.map_or(cpus, usize::from);
    let iters = u64::from(args.iters);
    let total = workers as u64 * iters;
    let mut out = io::stdout();

    let adjacent = adjacent_counters(workers);
    let padded = padded_counters(workers);
    let adjacent_refs: Vec<&AtomicU64> = adjacent.iter().collect();
    let padded_refs: Vec<&AtomicU64> = padded.iter().map(|c| &**c).collect();
    let mut blocks = Vec::new(); // per block: (adjacent, padded) (seconds, share together)
    for b in 0..BLOCKS {
        let n = iters * (b + 1) / BLOCKS - iters * b / BLOCKS; // every addition in one block
        let a = run_together(workers, |i| add_watching(&adjacent_refs, i, n))?;
        let p = run_together(workers, |i| add_watching(&padded_refs, i, n))?;
        blocks.push((a, p));
    }

    let count: u64 = adjacent.iter().map(|c| c.load(Relaxed)).sum();
    let time: f64 = blocks.iter().map(|(a, _)| a.0).sum();
    let apart = size_of_val(&adjacent[0]); // the bytes from one counter to the next
    writeln!(
        out,
        "Next to each other: {count} of {total}, time = {time:.3} s ({apart} bytes apart)"
    )?;
    let count: u64 = padded.iter().map(|c| c.load(Relaxed)).sum();
    let time: f64 = blocks.iter().map(|(_, p)| p.0).sum();
    let apart = size_of_val(&padded[0]);
    writeln!(
        out,
        "Own cache lines:    {count} of {total}, time = {time:.3} s ({apart} bytes apart)"
    )?;

    let threads = if workers == 1 { "thread" } else { "threads" };
    if workers == 1 {
        let ratio = median(blocks.iter().map(|(a, p)| a.0 / p.0).collect());
        writeln!(out, "Ratio: {ratio:.2}x with 1 thread")?;
        writeln!(
            out,
            "One thread, one counter: no other core wanted its cache line, so the layouts differ only by chance (what else the machine did). Run two threads on two cores or more to see the difference."
        )?;
        return Ok(());
    }
    // The pairs of blocks in which the threads mostly ran at the same time.
    let together = |(a, p): &&((f64, f64), (f64, f64))| a.1 >= 0.75 && p.1 >= 0.75;
    let mut pairs: Vec<_> = blocks.iter().filter(together).collect();
    let shown_in = pairs.len();
    if shown_in < 3 {
        pairs = blocks.iter().collect(); // too few: the ratio of every pair
    }
    let ratios: Vec<f64> = pairs.iter().map(|(a, p)| a.0 / p.0).collect();
    let (low, high) = ratios.iter().fold((f64::MAX, 0.0_f64), |(l, h), &r| (l.min(r), h.max(r)));
    let ratio = median(ratios);
    let share = blocks.iter().map(|(a, p)| a.1 + p.1).sum::<f64>() / (2.0 * BLOCKS as f64);
    let percent = (share * 100.0).round();
    let shown = cpus > 1 && shown_in >= 3 && ratio >= 1.5;
    let lesson = if shown { ": no value is shared, but the cache line is." } else { "" };
    writeln!(out, "Ratio: {ratio:.2}x with {workers} {threads}{lesson}")?;
    let which = match shown_in >= 3 {
        true => format!("the {shown_in} of {BLOCKS} pairs of blocks in which they did"),
        false => format!("all {BLOCKS} pairs of blocks"),
    };
    writeln!(
        out,
        "The threads added at the same time for {percent}% of their additions; the ratio is the median of {which} ({low:.2}x to {high:.2}x)."
    )?;
    if !shown {
        let why = match () {
            _ if cpus == 1 => {
                "One CPU ran every thread: the cache line never left its core, so both layouts take about as long. Run two threads on two cores or more to see the difference."
            }
            _ if shown_in < 3 => {
                "They seldom ran at the same time (the machine is busy, or lets this program use one core), so the cache line seldom had to move. Close other programs and run again."
            }
            _ => {
                "They ran at the same time, yet sharing a line cost them little on this machine: its cores may share a cache, or the work was too short to tell (more --iters)."
            }
        };
        writeln!(out, "{why}")?;
    }
    Ok(())
}

/// The experiment is run in this many blocks of each layout, in turns.
const BLOCKS: u64 = 10;

/// Thread `i`'s share of a block: `n` additions to its own counter, in
/// chunks of 10,000. Returns the share of them made while another thread
/// was adding too (another counter moved during the chunk): on one CPU,
/// or on a busy one, threads take turns, and a line cannot travel.
fn add_watching(counters: &[&AtomicU64], i: usize, n: u64) -> f64 {
    let others = || -> u64 {
        let all = counters.iter().map(|c| c.load(Relaxed));
        all.enumerate().filter(|&(j, _)| j != i).map(|(_, c)| c).sum()
    };
    let (mut before, mut together, mut done) = (others(), 0, 0);
    while done < n {
        let chunk = (n - done).min(10_000);
        increment(counters[i], chunk);
        let after = others();
        if after != before {
            together += chunk;
        }
        (before, done) = (after, done + chunk);
    }
    if n == 0 { 0.0 } else { together as f64 / n as f64 }
}

/// The middle value (the mean of the two middle ones for an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 { values[mid] } else { (values[mid - 1] + values[mid]) / 2.0 }
}

/// Threads that each add to their own counter, laid out two ways (fs.c).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// Threads, each adding to its own counter [default: all CPUs]
    #[arg(long, value_parser = workers)]
    workers: Option<u16>,
    /// Additions per thread
    #[arg(long, default_value_t = 10_000_000, value_parser = iters)]
    iters: u32,
}

/// The flags' whole numbers, each in its range (`number` is below).
fn workers(s: &str) -> Result<u16, String> {
    number(s, 1..=256)
}

fn iters(s: &str) -> Result<u32, String> {
    number(s, 1..=1_000_000_000)
}

/// Starts `workers` threads, thread i running `f(i)`. The threads wait at a
/// gate, held shut until all of them have started, so that they overlap.
/// Returns the seconds from the gate's opening to the last thread's end,
/// and the mean of what the threads returned (their share done together).
fn run_together(workers: usize, f: impl Fn(usize) -> f64 + Sync) -> Result<(f64, f64)> {
    let gate = RwLock::new(());
    thread::scope(|s| {
        let shut = gate.write().expect("a new lock is not poisoned");
        let mut threads = Vec::new();
        for i in 0..workers {
            let (gate, f) = (&gate, &f);
            let thread = thread::Builder::new().spawn_scoped(s, move || {
                drop(gate.read()); // wait until the gate opens
                f(i)
            });
            // On an error `shut` is dropped: the threads started so far run and end.
            threads.push(thread.context("cannot start a thread")?);
        }
        let start = timing::now();
        drop(shut); // open the gate: every thread counts at once
        let mut together = 0.0;
        for thread in threads {
            together += thread.join().expect("the counting cannot panic");
        }
        Ok((timing::since(start), together / workers as f64))
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
    fn every_thread_counts_its_own_counter_exactly() {
        let counters = adjacent_counters(8);
        let refs: Vec<&AtomicU64> = counters.iter().collect();
        run_together(8, |i| add_watching(&refs, i, 25_000 + i as u64)).unwrap();
        let counts: Vec<u64> = counters.iter().map(|c| c.load(Relaxed)).collect();
        assert_eq!(counts, (25_000..25_008).collect::<Vec<u64>>());
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
