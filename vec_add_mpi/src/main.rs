//! `vecAdd.py` and `vecAddF.py` beyond one machine: the partial sum as an
//! MPI program. `mpirun -np 2 target/debug/vec_add_mpi` starts 2 copies of
//! it, the ranks, on this machine or across hosts; nothing is shared between
//! them, and every byte that crosses is a message. One run on a 2-core machine
//! named lab-a (across two machines, `Hosts` names both):
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
//! The lesson, twice: scattered, rank 0 makes the array and `Scatterv` sends
//! each rank its part (vecAdd.py's copy, now through MPI); made locally, each
//! rank makes its own part and only the partial sums cross (`Reduce`), as
//! they must across hosts. In mpi4py: `comm.Scatterv(...)` and
//! `comm.reduce(part.sum(), op=MPI.SUM, root=0)`. The README says more.

use std::io::{self, Write};
use std::ops::RangeInclusive;
use std::process::ExitCode;

use anyhow::{Context, Result, ensure};
use clap::Parser;
use mpi::Count;
use mpi::collective::SystemOperation;
use mpi::datatype::Partition;
use mpi::traits::*;

/// The work each rank does, as in the Python.
fn partial_sum(subarray: &[i64]) -> i64 {
    subarray.iter().sum()
}

fn main() -> ExitCode {
    // Flags first: a rank refused its flags exits before MPI starts.
    let args = Args::try_parse().unwrap_or_else(|err| refuse(err));
    let Some(universe) = mpi::initialize() else {
        eprintln!("error: MPI was already started");
        return ExitCode::FAILURE;
    };
    let world = universe.world();
    match run(&args, &world) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS, // `| head`
        // Alone (no mpirun, or one rank): MPI ends as `universe` is dropped.
        Err(err) if world.size() == 1 => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("error: rank {}: {err:#}", world.rank());
            world.abort(1) // ends every rank of the job, not only this one
        }
    }
}

/// clap's refusal, naming the rank that refused under mpirun (each rank gets
/// its own flags), as only the launcher's environment can tell before MPI
/// has started: Open MPI's `mpirun` does not always say.
fn refuse(err: clap::Error) -> ! {
    let rank = ["OMPI_COMM_WORLD_RANK", "PMI_RANK"].iter().find_map(|v| std::env::var(v).ok());
    match rank {
        Some(rank) if err.use_stderr() => {
            let text = err.render().to_string();
            eprint!("{}", text.replacen("error: ", &format!("error: rank {rank}: "), 1));
            std::process::exit(err.exit_code())
        }
        _ => err.exit(),
    }
}

/// The Python script's main block, on every rank.
fn run(args: &Args, world: &impl Communicator) -> Result<()> {
    timing::warn_if_unoptimised();
    let (rank, ranks) = (world.rank(), world.size());
    let root = world.process_at_rank(0);
    let n = args.n;
    let mut out = io::stdout();

    // Every rank must make the same array: rank 0 picks the seed for all.
    let mut seed = args.seed.unwrap_or_else(rand::random);
    root.broadcast_into(&mut seed);
    let hosts = hosts(world)?; // where each rank runs, on rank 0

    // Rank i's part is arr[i*n/N .. (i+1)*n/N]: every element lands in one.
    let part = |i: Count| {
        let (i, ranks) = (i as usize, ranks as usize);
        i * n / ranks..(i + 1) * n / ranks
    };
    let counts: Vec<Count> = (0..ranks).map(|i| count(part(i).len())).collect();
    let displs: Vec<Count> = (0..ranks).map(|i| count(part(i).start)).collect();

    // Sequential execution, on rank 0.
    let arr = if rank == 0 { make(0..n, seed)? } else { Vec::new() };
    let mut seq_sum = 0;
    let mut seq_secs = 0.0;
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
            let speedup = seq_secs / par_secs;
            let processes = if ranks == 1 { "process" } else { "processes" };
            writeln!(out, "Speedup: {speedup:.2}x with {ranks} {processes}")?;
            ensure!(
                par_sum == seq_sum,
                "parallel sum ({how}) {par_sum} != sequential sum {seq_sum}"
            );
        }
    }
    Ok(())
}

/// The partial sum of vecAdd.py and vecAddF.py with MPI: run it with mpirun.
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// How many random integers (1..=99) to sum
    #[arg(long, default_value_t = 50_000_000, value_parser = size)]
    n: usize,
    /// Seed for the random numbers, to get the same array every run [default: a new one]
    #[arg(long, value_parser = seed)]
    seed: Option<u64>,
}

/// The flags' whole numbers, each in its range (`number` is below).
fn size(s: &str) -> Result<usize, String> {
    number(s, 1..=1_000_000_000)
}

fn seed(s: &str) -> Result<u64, String> {
    number(s, 0..=u64::MAX.into())
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

/// Elements `range` of the array: each one a number in 1..=99 that depends
/// only on the seed and its index (SplitMix64), so any rank can make any
/// part of the same array.
fn make(range: std::ops::Range<usize>, seed: u64) -> Result<Vec<i64>> {
    let mut part = room_for(range.len())?;
    part.extend(range.map(|i| {
        let mut z = seed.wrapping_add((i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z % 99) as i64 + 1
    }));
    Ok(part)
}

/// An empty Vec with room for `n` numbers, or the error the other lessons
/// give when memory runs out.
fn room_for(n: usize) -> Result<Vec<i64>> {
    let mut numbers = Vec::new();
    numbers.try_reserve_exact(n).with_context(|| format!("not enough memory for {n} numbers"))?;
    Ok(numbers)
}

/// Which host each rank runs on, gathered on rank 0 (`host (ranks 0, 2),
/// other (ranks 1, 3)`; an empty string elsewhere): MPI's processor name,
/// which Open MPI takes from the host name.
fn hosts(world: &impl Communicator) -> Result<String> {
    let root = world.process_at_rank(0);
    let name = mpi::environment::processor_name().context("a host name that is not UTF-8")?;
    let mut mine = [0_u8; 256];
    let len = name.len().min(mine.len());
    mine[..len].copy_from_slice(&name.as_bytes()[..len]);
    if world.rank() != 0 {
        root.gather_into(&mine[..]);
        return Ok(String::new());
    }
    let mut all = vec![0_u8; mine.len() * world.size() as usize];
    root.gather_into_root(&mine[..], &mut all[..]);
    let mut hosts: Vec<(String, Vec<usize>)> = Vec::new();
    for (rank, name) in all.chunks(mine.len()).enumerate() {
        let name = String::from_utf8_lossy(name).trim_end_matches('\0').to_string();
        match hosts.iter_mut().find(|(host, _)| *host == name) {
            Some((_, ranks)) => ranks.push(rank),
            None => hosts.push((name, vec![rank])),
        }
    }
    let hosts: Vec<String> = hosts
        .iter()
        .map(|(host, ranks)| {
            let ranks: Vec<String> = ranks.iter().map(usize::to_string).collect();
            let word = if ranks.len() == 1 { "rank" } else { "ranks" };
            format!("{host} ({word} {})", ranks.join(", "))
        })
        .collect();
    Ok(hosts.join(", "))
}

/// MPI counts elements in `i32`; `--n` stops at 1,000,000,000, which fits.
fn count(elements: usize) -> Count {
    Count::try_from(elements).expect("--n is at most 1,000,000,000")
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

/// Was this a write to a pipe whose reader has gone (`| head`)?
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.downcast_ref::<io::Error>().is_some_and(|err| err.kind() == io::ErrorKind::BrokenPipe)
}

#[cfg(test)]
mod tests {
    use super::make;

    #[test]
    fn any_part_of_the_array_is_the_same_wherever_it_is_made() {
        let whole = make(0..1000, 7).unwrap();
        assert_eq!(make(300..700, 7).unwrap(), whole[300..700]);
        assert!(whole.iter().all(|x| (1..=99).contains(x)));
        assert_ne!(make(0..1000, 8).unwrap(), whole, "another seed, another array");
    }

    #[test]
    fn the_numbers_look_uniform_over_1_to_99() {
        let arr = make(0..990_000, 1).unwrap();
        let mean = arr.iter().sum::<i64>() as f64 / arr.len() as f64;
        assert!((mean - 50.0).abs() < 0.2, "mean {mean}");
        for value in [1, 50, 99] {
            let seen = arr.iter().filter(|&&x| x == value).count();
            assert!((9000..11000).contains(&seen), "{value} seen {seen} times");
        }
    }
}
