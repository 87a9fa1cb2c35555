//! `vecAddF.py` in Rust: the same sum as `vec_add`, but the array is copied
//! once into shared memory, and every worker process maps it and sums its
//! own range: only the partial sums come back. The lecture (32 CPUs) printed
//! `Speedup: 0.62x`: Python still paid for starting its processes.
//!
//! The lesson: shared memory removes the copy that made `vec_add` slow; the
//! processes sum as fast as threads would, up to what memory delivers. On 2 cores:
//!
//! ```text
//! Sequential sum: 2500367114, time = 0.017 s
//! Parallel sum: 2500367114, time = 0.015 s
//! Speedup: 1.10x with 2 processes
//! ```
//!
//! Python's `SharedMemory` is a block in `/dev/shm`; here, a temp file that only
//! this run's processes hold, gone however it ends (docs/lessons.md, "vec_add_shm").

mod cli;
mod procs;
mod random;

use std::io::{self, Write};
use std::process::{self, Command, ExitCode, Stdio};
use std::{fs::File, num::NonZero, path::PathBuf, thread};

use anyhow::{Context, Result, ensure};
use clap::Parser;
use memmap2::Mmap;
use procs::Procs;

/// The work each worker does: `np.sum(arr[start:end])`.
fn partial_sum(subarray: &[i64]) -> i64 {
    let _timeline = timing::computing().size(subarray.len()); // this worker computes
    subarray.iter().sum()
}

fn main() -> ExitCode {
    cli::end_on_panic();
    let args = Args::parse();
    cli::exit(if let Some(parent) = args.worker { worker(parent, &args.range) } else { run(&args) })
}

/// The Python script's main block.
fn run(args: &Args) -> Result<()> {
    let n = args.n;
    let arr = random::randint(n, args.seed)?; // np.random.randint(1, 100, size=N)
    let mut out = io::stdout();

    // Sequential
    let start = timing::now();
    let seq_sum = partial_sum(&arr);
    let seq_time = timing::since(start);
    writeln!(out, "Sequential sum: {seq_sum}, time = {seq_time:.3} s")?;

    // Parallel: copy the array once into shared memory (one write(): measured faster).
    let dir = args.shm_dir.clone().unwrap_or_else(std::env::temp_dir);
    let mut shm = tempfile::tempfile_in(&dir)
        .with_context(|| format!("cannot create the shared file in {}", dir.display()))?;
    shm.write_all(bytemuck::cast_slice(&arr))
        .with_context(|| format!("cannot copy the array into a file in {}", dir.display()))?;

    let cpus = thread::available_parallelism().map_or(1, NonZero::get);
    let num_procs = args.workers.map_or(cpus, usize::from);
    let start = timing::record(); // and the timeline: who does what from here
    let partial_sums = sum_in_processes(&shm, n, num_procs)?;
    let par_sum: i64 = partial_sums.iter().sum();
    let par_time = timing::since(start);
    writeln!(out, "Parallel sum: {par_sum}, time = {par_time:.3} s")?;
    let kind = cli::plural(num_procs, "process");
    writeln!(out, "Speedup: {:.2}x with {kind}", seq_time / par_time)?;
    timing::finish(&kind).print(&mut out, args.timeline.svg())?;

    ensure!(par_sum == seq_sum, "parallel sum {par_sum} != sequential sum {seq_sum}");
    Ok(()) // no shm.unlink(): the file goes when the last process holding it ends
}

/// A worker process per range of the array: each maps the shared file and
/// sums its own range; only the partial sums come back, on their stdout.
fn sum_in_processes(shm: &File, n: usize, num_procs: usize) -> Result<Vec<i64>> {
    let mut procs = Procs::new();
    for i in 0..num_procs {
        let (s, e) = (i * n / num_procs, (i + 1) * n / num_procs);
        // Python passes `shm.name`; here the open file itself is passed.
        let worker = worker_command(shm, s, e)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 1)?; // it owes one answer: its sum
    }
    // out_q.get() for each worker: its partial sum, read from its stdout.
    let mut partial_sums = vec![0; num_procs];
    for _ in 0..num_procs {
        let (i, answer) = procs.next_line()?; // whichever worker answers first
        partial_sums[i] = procs::parse(i, &answer)?;
    }
    procs.join()?;
    Ok(partial_sums)
}

/// The worker side: map the shared file (its stdin) and sum `arr[start..end]`.
fn worker(parent: u32, range: &[usize]) -> Result<()> {
    procs::watch_parent(parent)?;
    // SAFETY: the parent wrote the file before starting us, and nobody
    // writes it while the workers read it.
    let shm = unsafe { Mmap::map(&io::stdin()) }.context("worker: cannot map its stdin")?;
    let arr: &[i64] = bytemuck::try_cast_slice(&shm)
        .map_err(|_| anyhow::anyhow!("worker: its stdin is not an array of i64"))?;
    let (start, end, len) = (range[0], range[1], arr.len());
    let subarray = arr
        .get(start..end)
        .with_context(|| format!("worker: {start}..{end} is outside the {len} numbers"))?;
    procs::answer(partial_sum(subarray))
}

/// This same program, started again as a worker for `arr[start..end]` (Python's
/// `spawn`): stdin is the shared file itself; `main` runs `worker`.
fn worker_command(shm: &File, start: usize, end: usize) -> Result<Command> {
    let stdin = shm.try_clone().context("cannot hand the shared file to a worker")?;
    let exe = std::env::current_exe().context("cannot find this program to start a worker")?;
    let mut command = Command::new(exe);
    command.args(["--worker", &process::id().to_string()]);
    command.arg("--range").args([start.to_string(), end.to_string()]);
    command.stdin(stdin).stdout(Stdio::piped()).stderr(Stdio::piped());
    procs::end_with_parent(&mut command); // see procs.rs
    Ok(command)
}

/// Partial sums in worker processes that share one memory-mapped array (vecAddF.py).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// How many random integers (1..=99) to sum
    #[arg(long, default_value_t = 50_000_000, value_parser = cli::size)]
    n: usize,
    /// Worker processes [default: all CPUs]
    #[arg(long, value_parser = cli::workers)]
    workers: Option<u16>,
    /// Seed for the random numbers, to get the same array every run
    #[arg(long, value_parser = cli::seed)]
    seed: Option<u64>,
    /// Folder for the shared file, which no run leaves behind [default: the temp dir]
    #[arg(long, value_name = "DIR", value_parser = cli::folder)]
    shm_dir: Option<PathBuf>,
    #[command(flatten)]
    timeline: cli::Timeline,
    /// Run as a worker of process PARENT on the shared file given as stdin
    #[arg(long, hide = true, value_name = "PARENT", requires = "range")]
    worker: Option<u32>,
    /// The worker's part of the array: elements START..END
    #[arg(long, hide = true, num_args = 2, value_names = ["START", "END"], requires = "worker")]
    range: Vec<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_sum_adds_every_element() {
        assert_eq!(partial_sum(&[]), 0);
        assert_eq!(partial_sum(&[1, 2, 3, 99]), 105);
    }

    #[test]
    fn the_shared_file_holds_what_was_copied_in() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(bytemuck::cast_slice(&[5_i64, -6, 7])).unwrap();
        // SAFETY: this test is the only user of the file.
        let map = unsafe { Mmap::map(&file) }.unwrap();
        assert_eq!(bytemuck::cast_slice::<u8, i64>(&map), [5, -6, 7]);
    }
}
