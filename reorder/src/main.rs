//! Memory reordering, the topic of the lecture folder's `reorder.c`,
//! `reorderF.c`, `reorderSeqCons.c` and `reorderWithComm.c` (names only:
//! their code is not in our material; Python cannot ask for an ordering).
//!
//! The store-buffer experiment: `x = y = 0`, then at once thread 1 does
//! `x = 1; r1 = y` and thread 2 does `y = 1; r2 = x`. Whichever store comes
//! first, the other thread's load should see it: `r1 = r2 = 0` cannot happen
//! if each thread does one thing after the other. One run, 2-core x86-64:
//!
//! ```text
//! Relaxed:         7915 of 200000 rounds with r1 = r2 = 0, time = 0.067 s
//! Release/Acquire: 8079 of 200000 rounds with r1 = r2 = 0, time = 0.051 s
//! SeqCst:          0 of 200000 rounds with r1 = r2 = 0, time = 0.053 s
//! The threads met at once in 98% of the rounds (200 blocks of each ordering, in turns).
//! A load overtook its thread's store under Relaxed and Release/Acquire; SeqCst never let it.
//! ```
//!
//! The lesson: a store waits in its core's store buffer while the load after
//! it goes ahead. Rust makes you name an `Ordering` for every atomic access
//! (`tests/compile_fail.rs`); only `SeqCst` forbids this. ARM (Apple silicon)
//! allows even more reorderings than x86-64. The README says more.

use std::hint;
use std::io::{self, Write};
use std::ops::RangeInclusive;
use std::process::ExitCode;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release, SeqCst};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::thread;

use anyhow::{Context, Result};
use clap::Parser;
use crossbeam_utils::CachePadded;
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

/// One thread's half of a round, `x = 1; r1 = y`, with no promise about
/// order: the load may be done before the store is seen.
fn store_then_load_relaxed(mine: &AtomicBool, theirs: &AtomicBool) -> bool {
    mine.store(true, Relaxed);
    theirs.load(Relaxed)
}

/// Release and Acquire keep a store after earlier accesses and a load before
/// later ones, but they let a later load pass an earlier store.
fn store_then_load_release_acquire(mine: &AtomicBool, theirs: &AtomicBool) -> bool {
    mine.store(true, Release);
    theirs.load(Acquire)
}

/// SeqCst: every thread sees all SeqCst operations in one single order.
fn store_then_load_seq_cst(mine: &AtomicBool, theirs: &AtomicBool) -> bool {
    mine.store(true, SeqCst);
    theirs.load(SeqCst)
}

fn main() -> ExitCode {
    exit(run(&Args::parse()))
}

/// Three experiments: the same rounds with three orderings, taking turns a
/// block of rounds each, so that whatever else the machine does strikes all
/// three alike.
fn run(args: &Args) -> Result<()> {
    timing::warn_if_unoptimised();
    let rounds = u64::from(args.rounds);
    let mut out = io::stdout();
    let orderings: [(&str, Play); 3] = [
        ("Relaxed:        ", store_then_load_relaxed),
        ("Release/Acquire:", store_then_load_release_acquire),
        ("SeqCst:         ", store_then_load_seq_cst),
    ];
    let plays = orderings.map(|(_, play)| play);
    let found = count_both_zero(rounds, &plays)?;
    let done = found[0].rounds;
    let blocks = done.div_ceil(BLOCK);
    for (found, (label, _)) in found.iter().zip(orderings) {
        let (both_zero, time) = (found.both_zero, found.time);
        writeln!(out, "{label} {both_zero} of {done} rounds with r1 = r2 = 0, time = {time:.3} s")?;
    }

    let together = found.iter().map(|f| f.together).sum::<u64>() as f64 / (3 * done) as f64;
    let percent = (together * 100.0).round();
    writeln!(
        out,
        "The threads met at once in {percent}% of the rounds ({blocks} blocks of each ordering, in turns)."
    )?;
    if done < rounds {
        writeln!(
            out,
            "Stopped after {BUDGET} s, at {done} of {rounds} rounds: the threads were seldom running at once (a busy machine)."
        )?;
    }
    let [relaxed, release_acquire, seq_cst] = [0, 1, 2].map(|k| found[k].both_zero);
    let reordered = match (relaxed > 0, release_acquire > 0) {
        (true, true) => "Relaxed and Release/Acquire",
        (true, false) => "Relaxed",
        (false, true) => "Release/Acquire",
        (false, false) => "",
    };
    if !reordered.is_empty() && seq_cst == 0 {
        writeln!(
            out,
            "A load overtook its thread's store under {reordered}; SeqCst never let it."
        )?;
    } else if reordered.is_empty() {
        writeln!(
            out,
            "No round was reordered this time: the threads met at once in {percent}% of the rounds \
             (one CPU, or a busy machine), and a core sees its own stores. On an idle multi-core \
             machine, most runs show some."
        )?;
    }
    Ok(())
}

/// One thread's part of a round: store into `mine`, then load `theirs`.
type Play = fn(&AtomicBool, &AtomicBool) -> bool;

/// Rounds are run in blocks of this many, the orderings taking turns.
const BLOCK: u64 = 1000;

/// After this many seconds a run stops at the end of the block it is in.
const BUDGET: f64 = 5.0;

/// What the rounds found, for one ordering.
#[derive(Clone, Copy)]
struct Found {
    /// Rounds run.
    rounds: u64,
    /// Rounds in which both loads saw 0.
    both_zero: u64,
    /// Rounds that both threads started without waiting for the other.
    together: u64,
    /// Seconds the rounds took.
    time: f64,
}

/// The store-buffer experiment, repeated (reorder.c).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// How many times both threads store, then load
    #[arg(long, default_value_t = 200_000, value_parser = rounds)]
    rounds: u32,
}

/// The flags' whole numbers, each in its range (`number` is below).
fn rounds(s: &str) -> Result<u32, String> {
    number(s, 1..=10_000_000)
}

/// Runs `rounds` rounds of `x = 1; r1 = y` here against `y = 1; r2 = x` in
/// another thread for each of `plays` (one thread's part of a round), the
/// plays taking turns a block of rounds each, and counts for each the rounds
/// in which both loads saw 0, and those both threads began without waiting
/// (only in those can the two run at the same time). Past `BUDGET` seconds
/// the run stops at the end of a block: a busy machine makes every meeting
/// wait, and a round in which one thread is not running teaches nothing.
fn count_both_zero(rounds: u64, plays: &[Play]) -> Result<Vec<Found>> {
    // x and y on cache lines of their own (see false_sharing).
    let (x, y) =
        (CachePadded::new(AtomicBool::new(false)), CachePadded::new(AtomicBool::new(false)));
    let (meetings, go_on) = (Meetings::default(), AtomicBool::new(true));
    let start = timing::now();
    let play = |mine: &AtomicBool, theirs: &AtomicBool, seed| {
        let mut rng = SmallRng::seed_from_u64(seed);
        let mut seen = vec![Vec::new(); plays.len()]; // per play: (loaded, at once)
        let mut times = vec![0.0; plays.len()];
        let (mut meeting, mut done) = (0, 0);
        while done < rounds {
            if seed == 1 {
                // Thread 1 decides, before the meeting; thread 2 reads it after.
                go_on.store(done == 0 || timing::since(start) < BUDGET, SeqCst);
            }
            meeting += 1;
            meetings.meet(meeting);
            if !go_on.load(SeqCst) {
                break;
            }
            let n = BLOCK.min(rounds - done);
            for (k, store_then_load) in plays.iter().enumerate() {
                let block = timing::now();
                for _ in 0..n {
                    let at_once = meetings.meet(meeting + 1); // the round starts
                    wait_a_little(&mut rng);
                    seen[k].push((store_then_load(mine, theirs), at_once));
                    meetings.meet(meeting + 2); // both have loaded
                    meeting += 2;
                    // Back to 0 for the next round, by the thread that loads it:
                    // the other's store must then fetch the line, and waits
                    // meanwhile in its store buffer, which is when a load
                    // overtakes it.
                    theirs.store(false, Relaxed);
                }
                times[k] += timing::since(block);
            }
            done += n;
        }
        (seen, times)
    };
    thread::scope(|s| {
        let thread_2 = thread::Builder::new().spawn_scoped(s, || play(&y, &x, 2));
        let thread_2 = thread_2.context("cannot start a thread")?;
        let (r1, times) = play(&x, &y, 1);
        let (r2, _) = thread_2.join().expect("a round cannot panic");
        let found = r1.iter().zip(&r2).zip(times).map(|((r1, r2), time)| {
            let both = |f: fn(&(bool, bool), &(bool, bool)) -> bool| {
                r1.iter().zip(r2).filter(|(a, b)| f(a, b)).count() as u64
            };
            let (both_zero, together) = (both(|a, b| !a.0 && !b.0), both(|a, b| a.1 && b.1));
            Found { rounds: r1.len() as u64, both_zero, together, time }
        });
        Ok(found.collect())
    })
}

/// Where the two threads meet, twice a round. They spin: `std::sync::Barrier`
/// puts a thread to sleep, and two would wake too far apart to overlap.
#[derive(Default)]
struct Meetings {
    arrived: AtomicU64,
}

impl Meetings {
    /// Waits here until both threads have arrived at meeting number
    /// `meeting`. Says whether the other came without this one giving up
    /// its CPU for it (it was running too, not waiting for its turn).
    fn meet(&self, meeting: u64) -> bool {
        self.arrived.fetch_add(1, SeqCst);
        let mut spins = 0;
        while self.arrived.load(SeqCst) < 2 * meeting {
            spins += 1;
            // On one CPU the other thread cannot arrive while this one spins.
            if spins < 20 { hint::spin_loop() } else { thread::yield_now() }
        }
        spins < 20
    }
}

/// A random pause of 0 to 7 spin-loop hints, so that the threads' timing
/// varies from round to round: were one always done before the other left
/// the meeting, no round would overlap them.
fn wait_a_little(rng: &mut SmallRng) {
    for _ in 0..rng.random_range(0..8) {
        hint::spin_loop();
    }
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
    fn seq_cst_never_lets_both_loads_see_zero() {
        assert_eq!(count_both_zero(20_000, &[store_then_load_seq_cst]).unwrap()[0].both_zero, 0);
    }

    #[test]
    fn every_round_starts_from_zero_and_only_both_zero_rounds_count() {
        // Says whether this thread's variable was still 1 from an earlier round.
        fn left_over(mine: &AtomicBool, _: &AtomicBool) -> bool {
            mine.swap(true, SeqCst)
        }
        // (Every round it ran: a busy machine may stop it before 5000.)
        let found = count_both_zero(5000, &[left_over]).unwrap()[0];
        assert_eq!(found.both_zero, found.rounds);
        assert!(found.rounds > 0);
        assert_eq!(count_both_zero(5000, &[|_, _| true]).unwrap()[0].both_zero, 0);
    }

    /// What a store-then-load does, seen from one thread: it stores true
    /// into `mine`, then returns what `theirs` holds.
    fn check_store_then_load(f: fn(&AtomicBool, &AtomicBool) -> bool, name: &str) {
        let (mine, theirs) = (AtomicBool::new(false), AtomicBool::new(false));
        assert!(!f(&mine, &theirs), "{name}: theirs is false, yet it returned true");
        assert!(mine.load(SeqCst), "{name}: mine is still false: store true into it");
        let (mine, theirs) = (AtomicBool::new(false), AtomicBool::new(true));
        assert!(f(&mine, &theirs), "{name}: theirs is true, yet it returned false");
        // One variable given twice: the load must come after the store.
        let one = AtomicBool::new(false);
        assert!(f(&one, &one), "{name}: it loads before it stores");
    }

    #[test]
    fn store_then_load_release_acquire_stores_mine_then_loads_theirs() {
        let f = store_then_load_release_acquire;
        check_store_then_load(f, "store_then_load_release_acquire");
    }

    #[test]
    fn store_then_load_seq_cst_stores_mine_then_loads_theirs() {
        check_store_then_load(store_then_load_seq_cst, "store_then_load_seq_cst");
    }

    #[test]
    fn one_thread_alone_always_sees_its_own_store() {
        let x = AtomicBool::new(false);
        assert!(store_then_load_relaxed(&x, &x));
    }
}
