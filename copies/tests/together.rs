//! `together.rs`, tested once for all its copies.

#[path = "../../race_threads/src/together.rs"]
mod together;

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

#[test]
fn every_thread_does_all_its_work_in_pieces() {
    let counts: Vec<AtomicU64> = (0..5).map(|_| AtomicU64::new(0)).collect();
    let pieces = AtomicU64::new(0);
    let run = together::run(5, 2_500, 1000, |i, n| {
        counts[i].fetch_add(n, Relaxed);
        pieces.fetch_add(1, Relaxed);
    });
    let counts: Vec<u64> = counts.iter().map(|c| c.load(Relaxed)).collect();
    assert_eq!(counts, [2_500; 5]);
    assert_eq!(pieces.into_inner(), 15, "1000, 1000 and 500, five times");
    assert!((0.0..=1.0).contains(&run.share), "{}", run.share);
}

#[test]
fn one_thread_never_works_together() {
    assert_eq!(together::run(1, 10_000, 100, |_, _| {}).share, 0.0);
}

#[test]
fn blocks_cut_the_work_evenly_and_wholly() {
    assert_eq!(together::blocks(10, 3).collect::<Vec<_>>(), [3, 3, 4]);
    assert_eq!(together::blocks(7, 10).sum::<u64>(), 7);
}

#[test]
fn the_ratio_counts_only_blocks_run_together_when_there_are_enough() {
    let t = |time, share| together::Together { time, share };
    let a = [t(3.0, 0.9), t(9.0, 0.1), t(4.0, 0.8), t(5.0, 0.95)];
    let b = [t(1.0, 0.9), t(1.0, 0.1), t(1.0, 0.8), t(1.0, 0.9)];
    let ratio = together::Ratio::of(&a, &b);
    assert_eq!((ratio.together, ratio.pairs), (3, 4));
    assert_eq!((ratio.median, ratio.low, ratio.high), (4.0, 3.0, 5.0));
    // Fewer than three: every pair counts.
    let ratio = together::Ratio::of(&a[..2], &b[..2]);
    assert_eq!((ratio.together, ratio.median), (1, 6.0));
    assert_eq!(together::median(vec![3.0, 1.0, 2.0]), 2.0);
}
