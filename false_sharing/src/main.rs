//! False sharing, the topic of the lecture folder's `cacheC.c`,
//! `cacheSharing.c`, `fs.c` and `fs-v2.c` (names only: their code was not
//! shown; there is no Python script, since the GIL runs one thread).
//!
//! The lesson: each thread adds 1 to a counter of its own, so no value is
//! shared; yet counters side by side share a cache line, which two cores
//! writing it pass to and fro (docs/lessons.md, "false_sharing"). On 2 cores:
//!
//! ```text
//! Next to each other: 20000000 of 20000000, time = 0.123 s (8 bytes apart)
//! Own cache lines:    20000000 of 20000000, time = 0.024 s (128 bytes apart)
//! Ratio: 5.15x with 2 threads: no value is shared, but the cache line is.
//! ```

mod cli;
mod together;

use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::{num::NonZero, thread};

use anyhow::Result;
use clap::Parser;
use crossbeam_utils::CachePadded;

/// Each thread's work: add 1 to its own counter (atomic, to reach memory).
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

fn main() -> std::process::ExitCode {
    cli::end_on_panic();
    cli::exit(run(&Args::parse()))
}

/// Two experiments: the same threads, the counters laid out two ways.
fn run(args: &Args) -> Result<()> {
    let cpus = thread::available_parallelism().map_or(1, NonZero::get);
    let workers = args.workers.map_or(cpus, usize::from);
    let iters = u64::from(args.iters);
    let total = workers as u64 * iters;
    let mut out = io::stdout();

    let (adjacent, padded) = (adjacent_counters(workers), padded_counters(workers));
    let (mut side_by_side, mut own_lines) = (Vec::new(), Vec::new());
    timing::record(); // the timeline: when each thread added
    for n in together::blocks(iters, 10) {
        // In turns, threads started at once: see together.rs.
        side_by_side.push(together::run(workers, n, 10_000, |i, n| increment(&adjacent[i], n)));
        own_lines.push(together::run(workers, n, 10_000, |i, n| increment(&padded[i], n)));
    }

    let timeline =
        timing::finish(&format!("both layouts in turns, {}", cli::plural(workers, "thread")));
    let count: u64 = adjacent.iter().map(|c| c.load(Relaxed)).sum();
    let (time, apart) = (together::time(&side_by_side), size_of_val(&adjacent[0]));
    writeln!(
        out,
        "Next to each other: {count} of {total}, time = {time:.3} s ({apart} bytes apart)"
    )?;
    let count: u64 = padded.iter().map(|c| c.load(Relaxed)).sum();
    let (time, apart) = (together::time(&own_lines), size_of_val(&padded[0]));
    writeln!(
        out,
        "Own cache lines:    {count} of {total}, time = {time:.3} s ({apart} bytes apart)"
    )?;

    let ratio = together::Ratio::of(&side_by_side, &own_lines);
    let shown = cpus > 1 && workers > 1 && ratio.together >= 3 && ratio.median >= 1.5;
    let lesson = if shown { ": no value is shared, but the cache line is." } else { "" };
    let threads = cli::plural(workers, "thread");
    writeln!(out, "Ratio: {:.2}x with {threads}{lesson}", ratio.median)?;
    if workers > 1 {
        let percent = (ratio.share * 100.0).round();
        let which = match ratio.together >= 3 {
            true => format!(
                "the {} of {} pairs of blocks in which they did",
                ratio.together, ratio.pairs
            ),
            false => format!("all {} pairs of blocks", ratio.pairs),
        };
        let (low, high) = (ratio.low, ratio.high);
        writeln!(
            out,
            "The threads added at the same time for {percent}% of their additions; the ratio is the median of {which} ({low:.2}x to {high:.2}x)."
        )?;
    }
    if !shown {
        writeln!(out, "{}", why_not(workers, cpus, ratio.together))?;
    }
    timeline.print(&mut out, args.timeline.svg())?;
    Ok(())
}

/// Why a run did not show the lesson, in one line.
fn why_not(workers: usize, cpus: usize, together: usize) -> &'static str {
    match () {
        _ if workers == 1 => {
            "One thread, one counter: no other core wanted its cache line, so the layouts differ only by chance (what else the machine did). Run two threads on two cores or more to see the difference."
        }
        _ if cpus == 1 => {
            "One CPU ran every thread: the cache line never left its core, so both layouts take about as long. Run two threads on two cores or more to see the difference."
        }
        _ if together < 3 => {
            "They seldom ran at the same time (the machine is busy, or lets this program use one core), so the cache line seldom had to move. Close other programs and run again."
        }
        _ => {
            "They ran at the same time, yet sharing a line cost them little on this machine: its cores may share a cache, or the work was too short to tell (more --iters)."
        }
    }
}

/// Threads that each add to their own counter, laid out two ways (fs.c).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// Threads, each adding to its own counter [default: all CPUs]
    #[arg(long, value_parser = cli::workers)]
    workers: Option<u16>,
    /// Additions per thread
    #[arg(long, default_value_t = 10_000_000, value_parser = cli::iters)]
    iters: u32,
    #[command(flatten)]
    timeline: cli::Timeline,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_thread_counts_its_own_counter_exactly() {
        testkit::judged("increment", || {
            increment(&AtomicU64::new(0), 1); // here, a todo! left is named
            let counters = adjacent_counters(8);
            together::run(8, 25_000, 1000, |i, n| increment(&counters[i], n));
            let counts: Vec<u64> = counters.iter().map(|c| c.load(Relaxed)).collect();
            match counts == [25_000; 8] {
                true => Ok(()),
                false => Err(format!("increment: each thread's own counter: {counts:?}")),
            }
        });
    }

    #[test]
    fn increment_adds_one_at_a_time_each_addition_atomic() {
        testkit::judged("increment", || {
            testkit::adds_one_at_a_time("increment", increment)?;
            // Two threads on one counter: a load then a store would lose some.
            let x = AtomicU64::new(0);
            thread::scope(|s| {
                s.spawn(|| increment(&x, 2_000_000));
                s.spawn(|| increment(&x, 2_000_000));
            });
            match x.into_inner() {
                4_000_000 => Ok(()),
                n => Err(format!(
                    "increment lost updates when another thread added too: {n} of 4000000: one atomic fetch_add per addition"
                )),
            }
        });
    }

    #[test]
    fn adjacent_counters_share_a_line_and_padded_ones_do_not() {
        let adjacent = adjacent_counters(2);
        let distance = |a: *const AtomicU64, b: *const AtomicU64| b as usize - a as usize;
        assert_eq!(distance(&adjacent[0], &adjacent[1]), 8);
        testkit::judged("padded_counters", move || {
            let padded = padded_counters(2);
            let apart = distance(&*padded[0], &*padded[1]);
            match apart >= 64 && size_of_val(&padded[0]) == apart && padded.len() == 2 {
                true => Ok(()),
                false => Err(format!("padded_counters: {apart} bytes apart: a cache line each")),
            }
        });
    }
}
