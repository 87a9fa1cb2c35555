//! Measuring, not the lesson: a reader can skip this file. It is the same,
//! byte for byte, in every lesson whose threads must run at the same time
//! to show anything (a check fails when a copy drifts); it is tested once,
//! in `copies/`.
//!
//! `run` starts the threads behind a gate, so that none begins before all
//! have started, and measures whether they then really ran at once: on one
//! CPU, or a busy machine, threads take turns instead, and a race or a
//! shared cache line shows nothing. The lesson says so rather than claim it.
//! Each thread notes when it did each piece of its work, in a buffer filled
//! without a lock or a system call: pieces of two threads whose times
//! overlap were done at the same time, and the run's timeline draws them.
#![allow(dead_code)] // the same file everywhere: not every lesson uses every part

use std::sync::RwLock;
use std::thread;
use std::time::Instant;

use timing::{Doing, Notes};

/// What a run of threads together found.
pub struct Together {
    /// Seconds from the gate's opening to the last thread's end.
    pub time: f64,
    /// The share of the work done while another thread was working too.
    pub share: f64,
}

/// `threads = [Thread(target=work) ...]; start(); join()`: `workers`
/// threads, thread `i` calling `work(i, n)` until it has done `iters`, in
/// pieces of `n = piece` (the last one shorter). Each piece's start and end
/// are noted (the run's timeline draws them: `thread i`, waiting at the
/// gate, then computing); a piece during which another thread was computing
/// too was done together.
pub fn run(workers: usize, iters: u64, piece: u64, work: impl Fn(usize, u64) + Sync) -> Together {
    let gate = RwLock::new(());
    let room = usize::try_from(iters / piece.max(1) + 2).unwrap_or(usize::MAX).min(1024);
    thread::scope(|s| {
        let shut = gate.write().expect("a new lock is not poisoned");
        let mut threads = Vec::new();
        for i in 0..workers {
            let (gate, work) = (&gate, &work);
            threads.push(s.spawn(move || {
                let (mut notes, at_gate) = (Notes::of_worker(i, room), Instant::now());
                drop(gate.read()); // wait until the gate opens
                let mut from = Instant::now();
                notes.note(Doing::Waiting, at_gate, from, None, 0);
                let mut done = 0;
                while done < iters {
                    let n = (iters - done).min(piece);
                    work(i, n);
                    let to = Instant::now();
                    notes.note(Doing::Computing, from, to, None, usize::try_from(n).unwrap_or(0));
                    (done, from) = (done + n, to);
                }
                notes.mark_slow_as_waiting();
                notes.computing()
            }));
        }
        let start = timing::now();
        drop(shut); // open the gate: every thread starts at once
        let pieces: Vec<_> = threads.into_iter().map(|t| t.join().expect("no panic")).collect();
        Together { time: timing::since(start), share: share_together(&pieces) }
    })
}

/// The share of all the work, pieces of thread after thread, done while
/// another thread was computing too (their times overlapped).
fn share_together(threads: &[Vec<(Instant, Instant, usize)>]) -> f64 {
    let mut pieces: Vec<(Instant, Instant, usize, usize)> = Vec::new();
    for (thread, spans) in threads.iter().enumerate() {
        pieces.extend(spans.iter().map(|&(from, to, size)| (from, to, size, thread)));
    }
    pieces.sort_by_key(|piece| piece.0);
    let Some(start) = pieces.first() else { return 0.0 };
    // The two latest ends so far, of two threads: whether a piece that began
    // earlier, of another thread, was still going.
    let (mut first, mut second): ((Instant, usize), Option<Instant>) =
        ((start.0, usize::MAX), None);
    let (mut together, mut all) = (0, 0);
    for (k, &(from, to, size, thread)) in pieces.iter().enumerate() {
        let before = match first.1 == thread {
            true => second.is_some_and(|end| end > from),
            false => first.0 > from,
        };
        let after = pieces[k + 1..].iter().take_while(|p| p.0 < to).any(|p| p.3 != thread);
        together += if before || after { size } else { 0 };
        all += size;
        if thread == first.1 {
            first.0 = first.0.max(to);
        } else if to > first.0 {
            second = Some(first.0);
            first = (to, thread);
        } else if second.is_none_or(|end| to > end) {
            second = Some(to);
        }
    }
    together as f64 / all.max(1) as f64
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
