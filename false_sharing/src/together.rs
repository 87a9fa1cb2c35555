//! Measuring, not the lesson: a reader can skip this file. It is the same,
//! byte for byte, in every lesson whose threads must run at the same time
//! to show anything (a check fails when a copy drifts); it is tested once,
//! in `copies/`.
//!
//! `run` starts the threads behind a gate, so that none begins before all
//! have started, and measures whether they then really ran at once: on one
//! CPU, or a busy machine, threads take turns instead, and a race or a
//! shared cache line shows nothing. The lesson says so rather than claim it.
#![allow(dead_code)] // the same file everywhere: not every lesson uses every part

use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::thread;

use crossbeam_utils::CachePadded;

/// What a run of threads together found.
pub struct Together {
    /// Seconds from the gate's opening to the last thread's end.
    pub time: f64,
    /// The share of the work done while another thread was working too.
    pub share: f64,
}

/// `threads = [Thread(target=work) ...]; start(); join()`: `workers`
/// threads, thread `i` calling `work(i, n)` until it has done `iters`, in
/// pieces of `n = piece` (the last one shorter). After each piece a thread
/// notes whether another thread finished a piece meanwhile: the pieces for
/// which one did were done together.
pub fn run(workers: usize, iters: u64, piece: u64, work: impl Fn(usize, u64) + Sync) -> Together {
    let gate = RwLock::new(());
    let pieces: Vec<CachePadded<AtomicU64>> = (0..workers).map(|_| Default::default()).collect();
    let others = |i: usize| -> u64 {
        let done = pieces.iter().map(|p| p.load(Relaxed));
        done.enumerate().filter(|&(j, _)| j != i).map(|(_, p)| p).sum()
    };
    thread::scope(|s| {
        let shut = gate.write().expect("a new lock is not poisoned");
        let mut threads = Vec::new();
        for i in 0..workers {
            let (gate, work, pieces, others) = (&gate, &work, &pieces, &others);
            threads.push(s.spawn(move || {
                drop(gate.read()); // wait until the gate opens
                let (mut done, mut together, mut before) = (0, 0, others(i));
                while done < iters {
                    let n = (iters - done).min(piece);
                    work(i, n);
                    pieces[i].fetch_add(1, Relaxed);
                    let after = others(i);
                    together += u64::from(after != before) * n;
                    (before, done) = (after, done + n);
                }
                together
            }));
        }
        let start = timing::now();
        drop(shut); // open the gate: every thread starts at once
        let together: u64 = threads.into_iter().map(|t| t.join().expect("no panic")).sum();
        let share = together as f64 / (workers as u64 * iters).max(1) as f64;
        Together { time: timing::since(start), share }
    })
}

/// `iters` cut into `count` blocks, as evenly as can be (10 into 3: 3, 3, 4),
/// so that variants can take turns, block after block, and whatever else
/// the machine does strikes all of them alike.
pub fn blocks(iters: u64, count: u64) -> impl Iterator<Item = u64> {
    (0..count).map(move |b| iters * (b + 1) / count - iters * b / count)
}

/// The seconds of all the blocks of one variant.
pub fn time(blocks: &[Together]) -> f64 {
    blocks.iter().map(|b| b.time).sum()
}

/// Two variants that took turns, block after block: how many times longer
/// `a` took than `b`, counted only over the pairs of blocks in which both
/// ran together most of the time (when there are at least three such).
pub struct Ratio {
    /// The middle of the pairs' ratios, and the lowest and highest.
    pub median: f64,
    pub low: f64,
    pub high: f64,
    /// The pairs of blocks in which both ran together for 75% or more.
    pub together: usize,
    /// All the pairs.
    pub pairs: usize,
    /// The share of all the work, in both, done while another thread worked.
    pub share: f64,
}

impl Ratio {
    pub fn of(a: &[Together], b: &[Together]) -> Ratio {
        let pairs: Vec<(&Together, &Together)> = a.iter().zip(b).collect();
        let mut shown: Vec<_> =
            pairs.iter().filter(|(a, b)| a.share >= 0.75 && b.share >= 0.75).collect();
        let together = shown.len();
        if together < 3 {
            shown = pairs.iter().collect(); // too few: every pair
        }
        let ratios: Vec<f64> = shown.iter().map(|(a, b)| a.time / b.time).collect();
        let low = ratios.iter().copied().fold(f64::MAX, f64::min);
        let high = ratios.iter().copied().fold(0.0, f64::max);
        let share =
            pairs.iter().map(|(a, b)| a.share + b.share).sum::<f64>() / (2 * pairs.len()) as f64;
        Ratio { median: median(ratios), low, high, together, pairs: pairs.len(), share }
    }
}

/// The middle value (the mean of the two middle ones for an even count).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 { values[mid] } else { (values[mid - 1] + values[mid]) / 2.0 }
}
