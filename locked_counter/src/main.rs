//! `lockedCounter.py` in Rust: four processes each add 1 to one counter in
//! shared memory 100,000 times, holding its lock (`with x.get_lock()`)
//! around each increment. The slide says `Output is 400000`.
//!
//! The lesson: with the lock held across the get and the set, no process can
//! slip in between, and the count is exact; `fetch_add` is too, with no lock.
//! On 2 cores (docs/lessons.md, "locked_counter"; `value.rs` is `mp.Value`):
//!
//! ```text
//! 400000
//! get_lock:  400000 of 400000, time = 0.005 s
//! fetch_add: 400000 of 400000, time = 0.004 s
//! ```

mod cli;
mod procs;
mod value;

use std::io::{self, Write};
use std::process::{self, Command, ExitCode, Stdio};

use anyhow::{Context, Result};
use clap::Parser;
use procs::Procs;
use value::{Shared, Value};

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
        x.fetch_add(1);
    }
}

fn main() -> ExitCode {
    cli::end_on_panic();
    let args = Args::parse();
    cli::exit(if let Some(parent) = args.worker { worker(parent, &args) } else { run(&args) })
}

/// The Python script's main block, then the same without a lock.
fn run(args: &Args) -> Result<()> {
    let total = i64::from(args.workers) * i64::from(args.iters);
    let mut out = io::stdout();

    let start = timing::record(); // and the timeline: who counted, who waited
    let locked = count_in_processes(args, false)?;
    let time = timing::since(start);
    let with_lock = timing::finish("get_lock");
    writeln!(out, "{locked}")?; // Output is 400000
    writeln!(out, "get_lock:  {locked} of {total}, time = {time:.3} s")?;

    let start = timing::record();
    let lock_free = count_in_processes(args, true)?;
    let time = timing::since(start);
    let without = timing::finish("fetch_add");
    writeln!(out, "fetch_add: {lock_free} of {total}, time = {time:.3} s")?;
    with_lock.print(&mut out, None)?;
    without.print(&mut out, args.timeline.svg())?;
    Ok(())
}

/// `x = Value('i', 0)`, the processes started and joined; returns `x.value`.
fn count_in_processes(args: &Args, fetch_add: bool) -> Result<i32> {
    let x = Shared::new()?; // in a shared file
    let mut procs = Procs::new();
    for _ in 0..args.workers {
        let worker = worker_command(&x, args, fetch_add)?.spawn();
        procs.watch(worker.context("cannot start a worker")?, 2)?; // it owes "ready", then "done"
    }
    x.start_together(&mut procs)?; // all at once: see value.rs
    procs.join()?;
    Ok(x.get()) // x.value
}

/// The worker side: count once every worker is ready (value.rs).
fn worker(parent: u32, args: &Args) -> Result<()> {
    procs::watch_parent(parent)?;
    let x = Shared::of_parent(parent)?; // the shared file is its stdin
    match args.fetch_add {
        true => x.count_together(args.iters, |n| increment_fetch_add(&x, n)),
        false => x.count_together(args.iters, |n| increment(&x, n)),
    }
}

/// This same program, started again as a worker (what Python's `spawn`
/// does): its stdin is the shared file itself; "ready" and "done" come out
/// on its stdout, why it failed on stderr. `--worker PARENT` runs `worker`.
fn worker_command(x: &Shared, args: &Args, fetch_add: bool) -> Result<Command> {
    let exe = std::env::current_exe().context("cannot find this program to start a worker")?;
    let mut command = Command::new(exe);
    command.args(["--worker", &process::id().to_string()]);
    command.args(["--iters", &args.iters.to_string()]);
    if fetch_add {
        command.arg("--fetch-add");
    }
    command.stdin(x.file()?).stdout(Stdio::piped()).stderr(Stdio::piped());
    procs::end_with_parent(&mut command); // see procs.rs
    Ok(command)
}

/// A lock in shared memory makes a shared counter exact (lockedCounter.py).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// Worker processes, each incrementing the shared counter
    #[arg(long, default_value_t = 4, value_parser = cli::workers)]
    workers: u16,
    /// Increments per process (at most 8,000,000: 256 x that still fits the i32 counter)
    #[arg(long, default_value_t = 100_000, value_parser = cli::i32_iters)]
    iters: u32,
    /// Run as a worker of process PARENT on the shared counter given as stdin
    #[arg(long, hide = true, value_name = "PARENT")]
    worker: Option<u32>,
    #[command(flatten)]
    timeline: cli::Timeline,
    /// As a worker, count with fetch_add instead of the lock
    #[arg(long, hide = true, requires = "worker")]
    fetch_add: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;
    use value::{Calls, calls};

    #[test]
    fn increment_holds_the_lock_across_each_get_and_set() {
        testkit::judged("increment", || {
            let x = Value::new(0);
            calls();
            increment(&x, 1000);
            let made = calls();
            let held = Calls { locks: 1000, held_gets: 1000, held_sets: 1000, ..Calls::default() };
            if made != held {
                return Err(format!(
                    "increment: with x.get_lock(): x.value += 1 takes the lock once an \
                     increment and gets and sets while holding it (let x = x.get_lock(); \
                     x.set(x.get() + 1)): 1000 increments made {made:?}"
                ));
            }
            // Four threads at once: exact.
            let x = Value::new(0);
            thread::scope(|s| {
                for _ in 0..4 {
                    s.spawn(|| increment(&x, 100_000));
                }
            });
            match x.get() {
                400_000 => Ok(()),
                n => Err(format!("increment lost updates: {n} of 400000")),
            }
        });
    }

    #[test]
    fn increment_fetch_add_is_exact_without_the_lock() {
        let x = Value::new(0);
        thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| increment_fetch_add(&x, 1000));
            }
        });
        assert_eq!(x.get(), 4000);
    }

    #[test]
    fn increment_waits_while_another_holds_the_lock() {
        testkit::ends_within("increment", || increment(&Value::new(0), 1)); // a todo! left
        let x: &'static Value = Box::leak(Box::new(Value::new(0)));
        let held = x.get_lock();
        let adding = thread::spawn(|| increment(x, 1000));
        thread::sleep(std::time::Duration::from_millis(200));
        let counted = held.get();
        drop(held);
        testkit::ends_within("increment", move || adding.join().unwrap());
        assert_eq!(counted, 0, "increment counted while another process held the lock");
        assert_eq!(x.get(), 1000);
    }
}
