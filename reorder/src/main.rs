//! Memory reordering, the topic of the lecture folder's `reorder.c`,
//! `reorderF.c`, `reorderSeqCons.c` and `reorderWithComm.c` (names only: their
//! code was not shown; Python cannot ask for an ordering). Thread 1 does
//! `x = 1; r1 = y`, thread 2 `y = 1; r2 = x`. The lesson: a store waits in its
//! core's store buffer while the load after it goes ahead, so `r1 = r2 = 0`
//! happens; only `SeqCst` forbids it, or a `SeqCst` fence between the store
//! and the load (C's `mfence`: reorderF.c) (docs/lessons.md, "reorder"). One
//! run, 2 cores: `Relaxed: 7915 of 200000 rounds with r1 = r2 = 0`, SeqCst 0.

mod cli;
mod rounds;

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering::*, fence};

use anyhow::Result;
use clap::Parser;

/// One thread's half of a round, `x = 1; r1 = y`, with no promise about order.
fn store_then_load_relaxed(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, Relaxed);
    y.load(Relaxed)
}

/// Release and Acquire hold back what is before a store and after a load: not this.
fn store_then_load_release_acquire(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, Release);
    y.load(Acquire)
}

/// SeqCst: every thread sees all SeqCst operations in one single order.
fn store_then_load_seq_cst(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, SeqCst);
    y.load(SeqCst)
}

/// reorderF.c: Relaxed accesses, and a SeqCst fence between them (`mfence`).
fn store_fence_load(x: &AtomicBool, y: &AtomicBool) -> bool {
    x.store(true, Relaxed);
    fence(SeqCst);
    y.load(Relaxed)
}

fn main() -> std::process::ExitCode {
    cli::end_on_panic();
    cli::exit(run(&Args::parse()))
}

/// Four experiments: the same rounds three ways, and with the fence (rounds.rs).
fn run(args: &Args) -> Result<()> {
    let rounds = u64::from(args.rounds);
    let mut out = io::stdout();
    let halves = [
        store_then_load_relaxed,
        store_then_load_release_acquire,
        store_then_load_seq_cst,
        store_fence_load,
    ];
    timing::record(); // the timeline: each thread's blocks of rounds
    let [relaxed, release_acquire, seq_cst, fenced] = rounds::play(rounds, &halves)[..] else {
        unreachable!("one Found for each of the four")
    };
    let timeline = timing::finish("tasks 0, 1, 2, 3: the four above");
    for (label, found) in [
        ("Relaxed:        ", relaxed),
        ("Release/Acquire:", release_acquire),
        ("SeqCst:         ", seq_cst),
        ("Relaxed + fence:", fenced),
    ] {
        let (both_zero, done, time) = (found.both_zero, found.rounds, found.time);
        writeln!(out, "{label} {both_zero} of {done} rounds with r1 = r2 = 0, time = {time:.3} s")?;
    }

    let done = relaxed.rounds;
    let at_once =
        [relaxed, release_acquire, seq_cst, fenced].iter().map(|f| f.at_once).sum::<u64>();
    let percent = (100.0 * at_once as f64 / (4 * done) as f64).round();
    let blocks = done.div_ceil(rounds::BLOCK);
    writeln!(
        out,
        "The threads met at once in {percent}% of the rounds ({blocks} blocks of each ordering, in turns)."
    )?;
    if done < rounds {
        writeln!(
            out,
            "Stopped after {} s, at {done} of {rounds} rounds: the threads were seldom running at once (a busy machine).",
            rounds::BUDGET
        )?;
    }
    let reordered = match (relaxed.both_zero > 0, release_acquire.both_zero > 0) {
        (true, true) => "Relaxed and Release/Acquire",
        (true, false) => "Relaxed",
        (false, true) => "Release/Acquire",
        (false, false) => "",
    };
    if !reordered.is_empty() && seq_cst.both_zero == 0 && fenced.both_zero == 0 {
        writeln!(
            out,
            "A load overtook its thread's store under {reordered}; SeqCst, or a SeqCst fence between them, never let it."
        )?;
    } else if reordered.is_empty() {
        writeln!(
            out,
            "No round was reordered this time: the threads met at once in {percent}% of the rounds \
             (one CPU, or a busy machine), and a core sees its own stores. On an idle multi-core \
             machine, most runs show some."
        )?;
    }
    timeline.print(&mut out, args.timeline.svg())?;
    Ok(())
}

/// The store-buffer experiment, repeated (reorder.c).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// How many times both threads store, then load
    #[arg(long, default_value_t = 200_000, value_parser = cli::rounds)]
    rounds: u32,
    #[command(flatten)]
    timeline: cli::Timeline,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seq_cst_never_lets_both_loads_see_zero() {
        check_store_then_load(store_then_load_seq_cst, "store_then_load_seq_cst");
        let both_zero = rounds::play(20_000, &[store_then_load_seq_cst])[0].both_zero;
        assert_eq!(both_zero, 0, "store_then_load_seq_cst: {both_zero} rounds saw both loads 0");
    }

    #[test]
    fn every_round_starts_from_zero_and_only_both_zero_rounds_count() {
        // Says whether this thread's variable was still 1 from an earlier round.
        fn left_over(mine: &AtomicBool, _: &AtomicBool) -> bool {
            mine.swap(true, SeqCst)
        }
        // (Every round it ran: a busy machine may stop it before 5000.)
        let found = rounds::play(5000, &[left_over])[0];
        assert_eq!(found.both_zero, found.rounds);
        assert!(found.rounds > 0);
        assert_eq!(rounds::play(5000, &[|_, _| true])[0].both_zero, 0);
    }

    /// What a store-then-load does, seen from one thread: it stores true
    /// into `mine`, then returns what `theirs` holds.
    fn check_store_then_load(f: fn(&AtomicBool, &AtomicBool) -> bool, name: &'static str) {
        testkit::judged(name, move || {
            let (x, y) = (AtomicBool::new(false), AtomicBool::new(false));
            let seen = f(&x, &y);
            match (seen, x.load(SeqCst), f(&AtomicBool::new(false), &AtomicBool::new(true))) {
                (true, _, _) => Err(format!("{name}: y is false, yet it returned true")),
                (_, false, _) => Err(format!("{name}: x is still false: store true into it")),
                (_, _, false) => Err(format!("{name}: y is true, yet it returned false")),
                // One variable given twice: the load must come after the store.
                _ if !f(&x, &x) => Err(format!("{name}: it loads before it stores")),
                _ => Ok(()),
            }
        });
    }

    #[test]
    fn store_then_load_release_acquire_stores_x_then_loads_y() {
        let f = store_then_load_release_acquire;
        check_store_then_load(f, "store_then_load_release_acquire");
    }

    #[test]
    fn store_then_load_seq_cst_stores_x_then_loads_y() {
        check_store_then_load(store_then_load_seq_cst, "store_then_load_seq_cst");
    }

    #[test]
    fn store_fence_load_stores_x_then_loads_y_and_is_never_reordered() {
        check_store_then_load(store_fence_load, "store_fence_load");
        let both_zero = rounds::play(20_000, &[store_fence_load])[0].both_zero;
        assert_eq!(both_zero, 0, "store_fence_load: {both_zero} rounds saw both loads 0");
    }

    #[test]
    fn one_thread_alone_always_sees_its_own_store() {
        let x = AtomicBool::new(false);
        assert!(store_then_load_relaxed(&x, &x));
    }
}
