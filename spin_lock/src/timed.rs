//! Measuring, not the lesson: a reader can skip this file. Each way of
//! adding is run by threads started at once (`together.rs`), timed by the
//! clock on the wall and by the CPU time the whole process spent (the
//! `cpu-time` crate: every thread's, on Linux, macOS and Windows), recorded
//! for its timeline, and printed in a line; then the sentences the numbers
//! allow, each only beside numbers that show it.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use cpu_time::ProcessTime;
use timing::Timeline;

use crate::together;

/// Additions a thread makes between two notes of its timeline.
const PIECE: u64 = 1000;

/// What one way of adding did with one number of threads, and what it cost.
pub struct Timed {
    pub label: &'static str,
    /// Seconds on the wall, from the gate's opening to the last thread's end.
    pub time: f64,
    /// Seconds of CPU time, every thread's added up.
    pub cpu: f64,
    /// The count the run ended with, and the additions made.
    pub count: u64,
    pub total: u64,
    pub timeline: Timeline,
}

/// The four ways with one number of threads, as they are run.
pub struct Ways<'a, W: Write> {
    out: &'a mut W,
    workers: usize,
    cpus: usize,
    iters: u64,
    done: Vec<Timed>,
}

impl<'a, W: Write> Ways<'a, W> {
    /// Says what the runs to come are: `8 threads, 4 a CPU (...)`.
    pub fn new(
        out: &'a mut W,
        workers: usize,
        cpus: usize,
        iters: u64,
        steps: u32,
    ) -> Result<Self> {
        let per_cpu = per_cpu(workers, cpus);
        writeln!(out, "{per_cpu} ({iters} additions each, {steps} steps of work in each):")?;
        Ok(Ways { out, workers, cpus, iters, done: Vec::new() })
    }

    /// Each thread calls `add(n)` until it has made its additions, all
    /// started at once; then `count()` is what they counted. One line:
    /// `  spin lock: 200000 of 200000, time = 0.131 s, CPU time = 0.262 s`.
    pub fn time(
        &mut self,
        label: &'static str,
        add: impl Fn(u64) + Sync,
        count: impl Fn() -> u64,
    ) -> Result<()> {
        let cpu = ProcessTime::try_now().context("cannot read the process's CPU time")?;
        timing::record();
        let together = together::run(self.workers, self.iters, PIECE, |_, n| add(n));
        let timeline = timing::finish(&format!("{label}, {}", per_cpu(self.workers, self.cpus)));
        let cpu = cpu.try_elapsed().context("cannot read the process's CPU time")?.as_secs_f64();
        let (time, count) = (together.time, count());
        let total = self.workers as u64 * self.iters;
        let name = format!("{label}:");
        writeln!(
            self.out,
            "  {name:10} {count} of {total}, time = {time:.3} s, CPU time = {cpu:.3} s"
        )?;
        self.done.push(Timed { label, time, cpu, count, total, timeline });
        Ok(())
    }

    pub fn found(self) -> Found {
        Found { workers: self.workers, ways: self.done }
    }
}

/// "8 threads, 4 a CPU"; "3 threads on 2 CPUs".
pub fn per_cpu(workers: usize, cpus: usize) -> String {
    let threads = crate::cli::plural(workers, "thread");
    match workers % cpus {
        0 if workers == cpus => format!("{threads}, one a CPU"),
        0 => format!("{threads}, {} a CPU", workers / cpus),
        _ => format!("{threads} on {}", crate::cli::plural(cpus, "CPU")),
    }
}

/// The four ways with one number of threads.
pub struct Found {
    pub workers: usize,
    pub ways: Vec<Timed>,
}

impl Found {
    fn way(&self, label: &str) -> &Timed {
        self.ways.iter().find(|w| w.label == label).expect("every way was run")
    }
}

/// What the two runs show, each sentence only beside numbers that show it,
/// then the timelines of the spin lock's and the Mutex's threads in the run
/// with more threads than CPUs.
pub fn lesson(
    out: &mut impl Write,
    cpus: usize,
    found: &[Found],
    svg: Option<&Path>,
) -> Result<()> {
    for run in found.iter().filter(|run| run.workers > 1) {
        let (spin, mutex, unlocked) = (run.way("spin lock"), run.way("Mutex"), run.way("no lock"));
        let (wall, cpu) = (spin.time / mutex.time, spin.cpu / mutex.cpu);
        let threads = per_cpu(run.workers, cpus);
        let took = format!(
            "With {threads}, the spin lock took {wall:.2}x the Mutex's time and {cpu:.2}x its CPU time"
        );
        let short = spin.time.min(mutex.time) < 0.005 || mutex.cpu <= 0.0;
        // The spin lock's threads never sleep: CPU time over wall time is how
        // many of them ran at once, on average.
        let at_once = spin.cpu / spin.time >= 0.75 * run.workers.min(cpus) as f64;
        let sentence = match (run.workers <= cpus, at_once) {
            _ if short => format!(
                "With {threads}, the runs were too short to compare (under 5 ms): give more --iters."
            ),
            (true, true) if wall <= 1.2 => format!(
                "{took}: a waiting thread spins on a CPU of its own and takes the lock the moment it is let go, about as fast as the Mutex."
            ),
            (true, false) if wall > 1.2 => format!(
                "{took}: the threads took turns on the CPUs (a busy machine), and a spin lock's holder taken off its CPU leaves the others spinning."
            ),
            (true, false) => format!(
                "{took}: the threads took turns on the CPUs (a busy machine), and seldom waited for each other."
            ),
            (false, _) if wall >= 1.5 && cpu >= 1.5 => format!(
                "{took}: a thread that holds a spin lock is taken off its CPU, and the others spin out their time slices waiting for it, where the Mutex's waiters sleep."
            ),
            (false, _) if wall <= 1.1 => format!(
                "{took}: no worse this time; a spin lock's holder was seldom taken off its CPU while another waited."
            ),
            _ => format!("{took}."),
        };
        writeln!(out, "{sentence}")?;
        if unlocked.count == unlocked.total {
            writeln!(
                out,
                "No lock lost no update this time: the threads took turns (one CPU, or a busy machine), and a turn rarely ends between the load and the store."
            )?;
        }
    }
    if let Some(last) = found.last() {
        last.way("spin lock").timeline.print(out, svg)?;
        last.way("Mutex").timeline.print(out, None)?;
    }
    Ok(())
}
