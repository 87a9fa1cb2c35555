//! Measuring, not the lesson: a reader can skip this file. It plays the
//! store-buffer rounds of `reorder` and counts what they found.
//!
//! Two threads meet at a spinning barrier before each round and after it;
//! between, each runs its half (`x = 1; r1 = y` and `y = 1; r2 = x`), after
//! a random pause of a few spin-loop hints so that the two halves overlap in
//! every way. The variants take turns, a block of rounds each, so that
//! whatever else the machine does strikes all of them alike. A round counts
//! as run at once only if both threads came to its start without waiting
//! for the other to be scheduled: on one CPU, or a busy machine, they take
//! turns instead, and a core always sees its own stores. For the timeline,
//! each thread notes its blocks, each as the task of its variant's number.

use std::hint;
use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::thread;
use std::time::Instant;

use crossbeam_utils::CachePadded;
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use timing::{Doing, Notes};

/// One thread's half of a round: store into `mine`, then load `theirs`.
pub type Half = fn(&AtomicBool, &AtomicBool) -> bool;

/// Rounds are run in blocks of this many, the variants taking turns.
pub const BLOCK: u64 = 1000;

/// After this many seconds a run stops at the end of the block it is in.
pub const BUDGET: f64 = 5.0;

/// What the rounds found, for one variant.
#[derive(Clone, Copy)]
pub struct Found {
    /// Rounds run.
    pub rounds: u64,
    /// Rounds in which both loads saw 0: r1 = r2 = 0.
    pub both_zero: u64,
    /// Rounds that both threads started without waiting for the other.
    pub at_once: u64,
    /// Seconds the rounds took.
    pub time: f64,
}

/// Plays `rounds` rounds of each of `halves`: `x = 1; r1 = y` on this
/// thread against `y = 1; r2 = x` on another, the variants taking turns a
/// block of rounds each. Past `BUDGET` seconds the run stops at the end of a
/// block: a busy machine makes every meeting wait, and a round in which one
/// thread is not running teaches nothing.
pub fn play(rounds: u64, halves: &[Half]) -> Vec<Found> {
    // x and y on cache lines of their own (see false_sharing).
    let (x, y) =
        (CachePadded::new(AtomicBool::new(false)), CachePadded::new(AtomicBool::new(false)));
    let (meetings, go_on) = (Meetings::default(), AtomicBool::new(true));
    let start = timing::now();
    let side = |mine: &AtomicBool, theirs: &AtomicBool, seed| {
        let mut rng = SmallRng::seed_from_u64(seed);
        let mut notes = Notes::of_worker(usize::try_from(seed).unwrap_or(0) - 1, 1024);
        let mut seen = vec![Vec::new(); halves.len()]; // per variant: (loaded, at once)
        let mut times = vec![0.0; halves.len()];
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
            for (k, half) in halves.iter().enumerate() {
                let block = Instant::now();
                for _ in 0..n {
                    let at_once = meetings.meet(meeting + 1); // the round starts
                    wait_a_little(&mut rng);
                    seen[k].push((half(mine, theirs), at_once));
                    meetings.meet(meeting + 2); // both have loaded
                    meeting += 2;
                    // Back to 0 for the next round, by the thread that loads it:
                    // the other's store must then fetch the line, and waits
                    // meanwhile in its store buffer, which is when a load
                    // overtakes it.
                    theirs.store(false, Relaxed);
                }
                times[k] += block.elapsed().as_secs_f64();
                let size = usize::try_from(n).unwrap_or(0);
                notes.note(Doing::Computing, block, Instant::now(), Some(k), size);
            }
            done += n;
        }
        (seen, times)
    };
    thread::scope(|s| {
        let thread_2 = s.spawn(|| side(&y, &x, 2));
        let (r1, times) = side(&x, &y, 1);
        let (r2, _) = thread_2.join().expect("a round cannot panic");
        let found = r1.iter().zip(&r2).zip(times).map(|((r1, r2), time)| {
            let both = |f: fn(&(bool, bool), &(bool, bool)) -> bool| {
                r1.iter().zip(r2).filter(|(a, b)| f(a, b)).count() as u64
            };
            let (both_zero, at_once) = (both(|a, b| !a.0 && !b.0), both(|a, b| a.1 && b.1));
            Found { rounds: r1.len() as u64, both_zero, at_once, time }
        });
        found.collect()
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
