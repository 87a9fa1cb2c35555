//! `threadP.py` in Rust: ten threads each add 1 to one counter 100,000 times.
//! Python printed `1000000` every run: the GIL runs one thread at a time.
//!
//! The lesson: Rust threads run at once, and `x += 1` (a load, then a store)
//! loses what others store in between. Safe Rust will not compile Python's
//! version (`tests/compile_fail.rs`); `fetch_add` and a `Mutex` fix it. On 2 cores:
//!
//! ```text
//! load then store: 933873 of 1000000, time = 0.001 s
//! fetch_add:       1000000 of 1000000, time = 0.006 s
//! Mutex:           1000000 of 1000000, time = 0.012 s
//! ```

mod cli;
mod together;

use std::io::{self, Write};
use std::sync::{Mutex, atomic::AtomicU64, atomic::Ordering::Relaxed};

use anyhow::Result;
use clap::Parser;

/// Python's `x += 1`: read x, then write x + 1, as two separate steps.
fn increment(x: &AtomicU64, iters: u64) {
    for _ in 0..iters {
        x.store(x.load(Relaxed) + 1, Relaxed);
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

fn main() -> std::process::ExitCode {
    cli::end_on_panic();
    cli::exit(run(&Args::parse()))
}

/// Three experiments: the race, and two fixes (docs/lessons.md, "race_threads").
fn run(args: &Args) -> Result<()> {
    let (workers, iters) = (usize::from(args.workers), u64::from(args.iters));
    let total = workers as u64 * iters;
    let mut out = io::stdout();

    let x = AtomicU64::new(0);
    timing::record(); // the timeline of the race: who counted when
    let raced = together::run(workers, iters, 1000, |_, n| increment(&x, n));
    let race = timing::finish(&format!("load then store, {}", cli::plural(workers, "thread")));
    let count = x.into_inner();
    writeln!(out, "load then store: {count} of {total}, time = {:.3} s", raced.time)?;

    let x = AtomicU64::new(0);
    let time = together::run(workers, iters, 1000, |_, n| increment_fetch_add(&x, n)).time;
    writeln!(out, "fetch_add:       {} of {total}, time = {time:.3} s", x.into_inner())?;

    let x = Mutex::new(0);
    let time = together::run(workers, iters, 1000, |_, n| increment_locked(&x, n)).time;
    let locked = x.into_inner().expect("no thread panics while holding the lock");
    writeln!(out, "Mutex:           {locked} of {total}, time = {time:.3} s")?;

    if workers > 1 {
        let percent = (raced.share * 100.0).round();
        let line = format!("The racing threads counted at the same time for {percent}%");
        writeln!(out, "{line} of their increments.")?;
    }
    if count == total && workers > 1 {
        writeln!(
            out,
            "No update was lost this time: the threads took turns (one CPU, or a busy machine), and a \
             turn rarely ends between the load and the store. On an idle multi-core machine, most runs lose some."
        )?;
    }
    race.print(&mut out, args.timeline.svg())?;
    Ok(())
}

/// Threads racing on one counter, and two fixes (threadP.py).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// Threads, each incrementing the shared counter
    #[arg(long, default_value_t = 10, value_parser = cli::workers)]
    workers: u16,
    /// Increments per thread
    #[arg(long, default_value_t = 100_000, value_parser = cli::iters)]
    iters: u32,
    #[command(flatten)]
    timeline: cli::Timeline,
}

#[cfg(test)]
mod tests {
    use super::*;
    use testkit::judged;

    #[test]
    fn one_thread_never_loses_an_update() {
        let x = AtomicU64::new(0);
        together::run(1, 1000, 1000, |_, n| increment(&x, n));
        assert_eq!(x.into_inner(), 1000);
    }

    #[test]
    fn the_racy_count_never_exceeds_the_total() {
        let x = AtomicU64::new(0);
        together::run(8, 10_000, 1000, |_, n| increment(&x, n));
        assert!((1..=80_000).contains(&x.into_inner()));
    }

    #[test]
    fn increment_fetch_add_adds_one_at_a_time_and_loses_nothing() {
        judged("increment_fetch_add", || {
            testkit::adds_one_at_a_time("increment_fetch_add", increment_fetch_add)?;
            let x = AtomicU64::new(0);
            together::run(8, 100_000, 1000, |_, n| increment_fetch_add(&x, n));
            match x.into_inner() {
                800_000 => Ok(()),
                count => Err(format!("increment_fetch_add lost updates: {count} of 800000")),
            }
        });
    }

    #[test]
    fn increment_locked_adds_one_at_a_time_under_the_lock_and_loses_nothing() {
        judged("increment_locked", || {
            testkit::adds_one_at_a_time_locked("increment_locked", increment_locked)?;
            let m = Mutex::new(0);
            together::run(8, 100_000, 1000, |_, n| increment_locked(&m, n));
            match m.into_inner().expect("no thread panicked holding it") {
                800_000 => Ok(()),
                count => Err(format!("increment_locked lost updates: {count} of 800000")),
            }
        });
    }
}
