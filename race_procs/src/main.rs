//! `threadP-B.py` in Rust: ten processes each add 1 to one counter in shared
//! memory 100,000 times, without holding its lock. The lecture printed
//! 170066, 170233, 169227 and 169344 for 1000000 ("usually < 1000000 due to
//! race conditions").
//!
//! The lesson: `counter.value += 1` is a get and then a set, and another
//! process can slip in between them: its updates are lost. On 2 cores:
//!
//! ```text
//! 321042
//! lost 678958 of 1000000 updates
//! ```
//!
//! `value.rs` is `mp.Value`, and starts the workers together
//! (docs/lessons.md, "race_procs"). `procs.rs` and `cli.rs` are plumbing.

mod cli;
mod procs;
mod value;

use std::io::{self, Write};
use std::process::{self, Command, ExitCode, Stdio};

use anyhow::{Context, Result};
use clap::Parser;
use procs::Procs;
use value::{Shared, Value};

/// What each process does (`worker` in the Python): `counter.value += 1`,
/// a get and then a set, each taking the counter's lock on its own.
fn increment(counter: &Value, iters: u32) {
    for _ in 0..iters {
        counter.set(counter.get() + 1);
    }
}

fn main() -> ExitCode {
    cli::end_on_panic();
    let args = Args::parse();
    cli::exit(if let Some(parent) = args.worker { worker(parent, &args) } else { run(&args) })
}

/// The Python script's main block.
fn run(args: &Args) -> Result<()> {
    let counter = Shared::new()?; // counter = mp.Value('i', 0), in a shared file
    timing::record(); // the timeline: who counted when
    let mut procs = Procs::new();
    for _ in 0..args.workers {
        let worker = worker_command(&counter, args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 2)?; // it owes two answers: "ready", then "done"
    }
    let together = counter.start_together(&mut procs)?; // all at once: see value.rs
    procs.join()?;
    let timeline = timing::finish(&cli::plural(usize::from(args.workers), "process"));

    let count = i64::from(counter.get());
    let total = i64::from(args.workers) * i64::from(args.iters);
    let mut out = io::stdout();
    writeln!(out, "{count}")?; // usually < 1000000 due to race conditions
    writeln!(out, "lost {} of {total} updates", total - count)?;
    if args.workers > 1 {
        let percent = (100.0 * together as f64 / total as f64).round();
        let turns = match percent < 50.0 && count < total {
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
    if count == total && args.workers > 1 {
        writeln!(
            out,
            "No update was lost this time: the processes took turns (one CPU, or a busy machine), \
             and a turn rarely ends in the few nanoseconds between a get and its set (Python's \
             take microseconds). On an idle multi-core machine, most runs lose many."
        )?;
    }
    timeline.print(&mut out, args.timeline.svg())?;
    Ok(())
}

/// The worker side: count once every worker is ready (value.rs).
fn worker(parent: u32, args: &Args) -> Result<()> {
    procs::watch_parent(parent)?;
    let counter = Shared::of_parent(parent)?; // the shared file is its stdin
    counter.count_together(args.iters, |n| increment(&counter, n))
}

/// This same program, started again as a worker (what Python's `spawn`
/// does): its stdin is the shared file itself; "ready" and "done" come out
/// on its stdout, why it failed on stderr. `--worker PARENT` runs `worker`.
fn worker_command(counter: &Shared, args: &Args) -> Result<Command> {
    let exe = std::env::current_exe().context("cannot find this program to start a worker")?;
    let mut command = Command::new(exe);
    command.args(["--worker", &process::id().to_string()]);
    command.args(["--iters", &args.iters.to_string()]);
    command.stdin(counter.file()?).stdout(Stdio::piped()).stderr(Stdio::piped());
    procs::end_with_parent(&mut command); // see procs.rs
    Ok(command)
}

/// Processes racing on one counter in shared memory (threadP-B.py).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// Worker processes, each incrementing the shared counter
    #[arg(long, default_value_t = 10, value_parser = cli::workers)]
    workers: u16,
    /// Increments per process (at most 8,000,000: 256 x that still fits the i32 counter)
    #[arg(long, default_value_t = 100_000, value_parser = cli::i32_iters)]
    iters: u32,
    #[command(flatten)]
    timeline: cli::Timeline,
    /// Run as a worker of process PARENT on the shared counter given as stdin
    #[arg(long, hide = true, value_name = "PARENT")]
    worker: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;
    use value::{Calls, calls};

    #[test]
    fn increment_is_a_get_then_a_set_each_time_as_python_does_it() {
        testkit::judged("increment", || {
            let counter = Value::new(0);
            calls();
            increment(&counter, 1000);
            let made = calls();
            let python = Calls {
                gets: 1000,
                sets: 1000,
                locks: 2000,
                held_gets: 1000,
                held_sets: 1000,
                fetch_adds: 0,
            };
            if made != python {
                return Err(format!(
                    "increment: counter.value += 1 is one get and one set each time \
                     (counter.get(), then counter.set(..)): 1000 increments made {made:?}"
                ));
            }
            match counter.get() {
                1000 => Ok(()),
                n => Err(format!("increment: one process alone counted {n} of 1000")),
            }
        });
    }

    #[test]
    fn increment_waits_while_another_process_holds_the_lock() {
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
