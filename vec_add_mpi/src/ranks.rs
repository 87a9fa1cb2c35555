//! MPI plumbing, not the lesson: a reader can skip this file. How a rank
//! ends (one line, and the whole job with it), where each rank runs, and
//! each rank's part of the array, made where it is summed.

use std::process::ExitCode;

use anyhow::{Context, Result};
use mpi::Count;
use mpi::traits::*;

/// How `main` ends on every rank: exit code 0, or one line `error: rank N:
/// ...` and the whole job ended (`MPI_Abort`), not only this rank. Alone
/// (no mpirun, or one rank), MPI ends as the universe is dropped.
pub fn exit(result: Result<()>, world: &impl Communicator) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if crate::cli::is_broken_pipe(&err) => ExitCode::SUCCESS, // `| head`
        Err(err) if world.size() == 1 => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("error: rank {}: {err:#}", world.rank());
            world.abort(1)
        }
    }
}

/// clap's refusal, naming the rank that refused under mpirun (each rank gets
/// its own flags), as only the launcher's environment can tell before MPI
/// has started: Open MPI's `mpirun` does not always say.
pub fn refuse(err: clap::Error) -> ! {
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

/// Elements `range` of the array: each one a number in 1..=99 that depends
/// only on the seed and its index (SplitMix64), so any rank can make any
/// part of the same array.
pub fn make(range: std::ops::Range<usize>, seed: u64) -> Result<Vec<i64>> {
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
pub fn room_for(n: usize) -> Result<Vec<i64>> {
    let mut numbers = Vec::new();
    numbers.try_reserve_exact(n).with_context(|| format!("not enough memory for {n} numbers"))?;
    Ok(numbers)
}

/// MPI counts elements in `i32`; `--n` stops at 1,000,000,000, which fits.
pub fn count(elements: usize) -> Count {
    Count::try_from(elements).expect("--n is at most 1,000,000,000")
}

/// Which host each rank runs on, gathered on rank 0 (`host (ranks 0, 2),
/// other (ranks 1, 3)`; an empty string elsewhere): MPI's processor name,
/// which Open MPI takes from the host name.
pub fn hosts(world: &impl Communicator) -> Result<String> {
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
