//! `vecAdd.py` and `vecAddF.py` beyond one machine: the partial sum as an
//! MPI program. `mpirun -np 2 target/debug/vec_add_mpi` starts 2 copies of
//! it, the ranks, on this machine or across hosts; nothing is shared between
//! them, and every byte that crosses is a message. On a 2-core machine:
//!
//! ```text
//! Sequential sum: 2500178880, time = 0.019 s
//! Processes: 2
//! Hosts: lab-a (ranks 0, 1)
//! Parallel sum (scattered): 2500178880, time = 0.260 s
//! Speedup: 0.07x with 2 processes
//! Parallel sum (made locally): 2500178880, time = 0.013 s
//! Speedup: 1.52x with 2 processes
//! ```
//!
//! The lesson, twice: scattered, rank 0 sends each rank its part (`Scatterv`:
//! vecAdd.py's copy); made locally, only the partial sums cross (`Reduce`).
//! In mpi4py: `comm.Scatterv(...)`, `comm.reduce(part.sum(), op=MPI.SUM, root=0)`.

mod cli;
mod ranks;

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Result, ensure};
use clap::Parser;
use mpi::collective::SystemOperation;
use mpi::datatype::Partition;
use mpi::traits::*;
use ranks::{count, make, room_for};

/// The work each rank does, as in the Python.
fn partial_sum(subarray: &[i64]) -> i64 {
    subarray.iter().sum()
}

fn main() -> ExitCode {
    // Flags first: a rank refused its flags exits before MPI starts.
    let args = Args::try_parse().unwrap_or_else(|err| ranks::refuse(err));
    let Some(universe) = mpi::initialize() else {
        eprintln!("error: MPI was already started");
        return ExitCode::FAILURE;
    };
    let world = universe.world();
    ranks::exit(run(&args, &world), &world) // on an error, the whole job ends
}

/// The Python script's main block, on every rank.
fn run(args: &Args, world: &impl Communicator) -> Result<()> {
    let (rank, ranks) = (world.rank(), world.size());
    let root = world.process_at_rank(0);
    let n = args.n;
    let mut out = io::stdout();

    // Every rank must make the same array: rank 0 picks the seed for all.
    let mut seed = args.seed.unwrap_or_else(rand::random);
    root.broadcast_into(&mut seed);
    let hosts = ranks::hosts(world)?; // where each rank runs, on rank 0

    // Rank i's part is arr[i*n/N .. (i+1)*n/N]: every element lands in one.
    let part = |i: mpi::Count| {
        let (i, ranks) = (i as usize, ranks as usize);
        i * n / ranks..(i + 1) * n / ranks
    };
    let counts: Vec<mpi::Count> = (0..ranks).map(|i| count(part(i).len())).collect();
    let displs: Vec<mpi::Count> = (0..ranks).map(|i| count(part(i).start)).collect();

    // Sequential execution, on rank 0.
    let arr = if rank == 0 { make(0..n, seed)? } else { Vec::new() };
    let (mut seq_sum, mut seq_secs) = (0, 0.0);
    if rank == 0 {
        let start = timing::now();
        seq_sum = partial_sum(&arr);
        seq_secs = timing::since(start);
        writeln!(out, "Sequential sum: {seq_sum}, time = {seq_secs:.3} s")?;
        writeln!(out, "Processes: {ranks}")?;
        writeln!(out, "Hosts: {hosts}")?;
    }

    // Scattered: rank 0 sends every rank its part, as vecAdd.py's pool does.
    let mut mine = room_for(part(rank).len())?;
    mine.resize(part(rank).len(), 0);
    world.barrier();
    let start = timing::now();
    if rank == 0 {
        let partition = Partition::new(&arr[..], &counts[..], &displs[..]);
        root.scatter_varcount_into_root(&partition, &mut mine[..]);
    } else {
        root.scatter_varcount_into(&mut mine[..]);
    }
    let scattered = reduce(world, partial_sum(&mine));
    let scattered_secs = timing::since(start);
    drop(mine);

    // Made locally: each rank makes its own part, only the sums cross.
    let mine = make(part(rank), seed)?;
    world.barrier();
    let start = timing::now();
    let local = reduce(world, partial_sum(&mine));
    let local_secs = timing::since(start);

    if let (Some(scattered), Some(local)) = (scattered, local) {
        for (how, par_sum, par_secs) in
            [("scattered", scattered, scattered_secs), ("made locally", local, local_secs)]
        {
            writeln!(out, "Parallel sum ({how}): {par_sum}, time = {par_secs:.3} s")?;
            let processes = cli::plural(ranks as usize, "process");
            writeln!(out, "Speedup: {:.2}x with {processes}", seq_secs / par_secs)?;
            ensure!(
                par_sum == seq_sum,
                "parallel sum ({how}) {par_sum} != sequential sum {seq_sum}"
            );
        }
    }
    Ok(())
}

/// `comm.reduce(x, op=MPI.SUM, root=0)`: the sum on rank 0, `None` elsewhere.
fn reduce(world: &impl Communicator, x: i64) -> Option<i64> {
    let root = world.process_at_rank(0);
    if world.rank() == 0 {
        let mut sum = 0;
        root.reduce_into_root(&x, &mut sum, SystemOperation::sum());
        Some(sum)
    } else {
        root.reduce_into(&x, SystemOperation::sum());
        None
    }
}

/// The partial sum of vecAdd.py and vecAddF.py with MPI: run it with mpirun.
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// How many random integers (1..=99) to sum
    #[arg(long, default_value_t = 50_000_000, value_parser = cli::size)]
    n: usize,
    /// Seed for the random numbers, to get the same array every run [default: a new one]
    #[arg(long, value_parser = cli::seed)]
    seed: Option<u64>,
}
