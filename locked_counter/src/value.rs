//! `mp.Value('i', 0)` in Rust; a reader can take it as given. It is the
//! same, byte for byte, in race_procs and locked_counter (a check fails when
//! a copy drifts), and it is tested once, in `copies/`.
//!
//! - `Value`: an i32 with a lock next to it, as Python keeps a semaphore
//!   next to the value. `get` and `set` each take the lock, as Python's
//!   `x.value` does; `get_lock` holds it across several steps.
//! - `Shared`: the value in a temp file that only this run's processes hold
//!   (no run leaves it behind), mapped by each of them.
//! - The start gate: Rust workers are so fast that each would finish before
//!   the next one has started, so they wait until all are ready and then
//!   count at once, in pieces, each noting how much it counted while another
//!   process counted too (`count_together`, `start_together`), and, for the
//!   timeline, when it waited for the lock.
#![allow(dead_code)] // the same file in both lessons: not each uses every part

use std::cell::Cell;
use std::fs::File;
use std::io::{self, Write};
use std::ops::Deref;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicI32, AtomicU32};
use std::time::{Duration, Instant};
use std::{process, thread};

use timing::{Doing, Notes};

use anyhow::{Context, Result, ensure};
use memmap2::MmapRaw;

use crate::procs::Procs;

/// `mp.Value('i', 0)`: an i32 and its lock (0: free, 1: held).
#[repr(C)]
pub struct Value {
    lock: AtomicU32,
    value: AtomicI32,
}

impl Value {
    pub const fn new(value: i32) -> Value {
        Value { lock: AtomicU32::new(0), value: AtomicI32::new(value) }
    }

    /// `x.value`: the value, read under the lock.
    pub fn get(&self) -> i32 {
        count(|calls| calls.gets += 1);
        self.get_lock().get()
    }

    /// `x.value = value`, written under the lock.
    pub fn set(&self, value: i32) {
        count(|calls| calls.sets += 1);
        self.get_lock().set(value);
    }

    /// `x.get_lock()`: waits until no process holds the lock, then takes it.
    /// Letting go of it (dropping `Locked`) frees it but, like a semaphore,
    /// hands over no CPU. Only a wait reads the clock, to note how long.
    pub fn get_lock(&self) -> Locked<'_> {
        count(|calls| calls.locks += 1);
        let mut waiting = None;
        while self.lock.swap(1, Acquire) != 0 {
            waiting.get_or_insert_with(Instant::now);
            thread::yield_now(); // let the holder run
        }
        if let Some(from) = waiting {
            WAITED.set(WAITED.get() + from.elapsed());
        }
        Locked(self)
    }

    /// Adds `n` in one indivisible step, without the lock.
    pub fn fetch_add(&self, n: i32) -> i32 {
        count(|calls| calls.fetch_adds += 1);
        self.value.fetch_add(n, Relaxed)
    }

    /// Is the lock held now? (For tests.)
    pub fn is_locked(&self) -> bool {
        self.lock.load(Relaxed) != 0
    }
}

thread_local! {
    /// How long this thread has waited for the lock, all told.
    static WAITED: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

/// The value while its lock is held; dropping this releases the lock.
pub struct Locked<'a>(&'a Value);

impl Locked<'_> {
    pub fn get(&self) -> i32 {
        count(|calls| calls.held_gets += 1);
        self.0.value.load(Relaxed)
    }

    pub fn set(&self, value: i32) {
        count(|calls| calls.held_sets += 1);
        self.0.value.store(value, Relaxed);
    }
}

/// For the unit tests, which judge an `increment` by what it calls: how
/// many times this thread called each (`get` and `set` take the lock on
/// their own, `held_` ones with it held). Counted only in tests.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Calls {
    pub gets: u32,
    pub sets: u32,
    pub locks: u32,
    pub held_gets: u32,
    pub held_sets: u32,
    pub fetch_adds: u32,
}

#[cfg(test)]
thread_local! {
    static CALLS: Cell<Calls> = Cell::new(Calls::default());
}

/// This thread's calls so far, counted afresh from now on.
#[cfg(test)]
pub fn calls() -> Calls {
    CALLS.replace(Calls::default())
}

#[cfg(test)]
fn count(f: impl FnOnce(&mut Calls)) {
    let mut calls = CALLS.get();
    f(&mut calls);
    CALLS.set(calls);
}

#[cfg(not(test))]
fn count(_: impl FnOnce(&mut Calls)) {}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        self.0.lock.store(0, Release);
    }
}

/// What lives in the shared file.
#[repr(C)]
struct Layout {
    parent: AtomicU32, // the run's parent: a worker checks it has the right file
    go: AtomicU32,     // the start gate: 1 once every worker is ready
    value: Value,
}

/// The shared value of a run, mapped (and, in the parent, its file); it
/// derefs to the `Value`.
pub struct Shared {
    map: MmapRaw,
    file: Option<File>,
}

impl Shared {
    /// `mp.Value('i', 0)`, in the parent: a temp file written whole now (a
    /// full disk is an error here, not in a worker), and mapped.
    pub fn new() -> Result<Shared> {
        let dir = std::env::temp_dir();
        let mut file = tempfile::tempfile_in(&dir)
            .with_context(|| format!("cannot create the shared file in {}", dir.display()))?;
        file.write_all(&[0; size_of::<Layout>()])
            .with_context(|| format!("cannot write the shared file in {}", dir.display()))?;
        let map = MmapRaw::map_raw(&file).context("cannot map the shared file");
        let shared = Shared::new_from(map, Some(file))?;
        shared.layout().parent.store(process::id(), Relaxed);
        Ok(shared)
    }

    /// In a worker: the shared file its parent gave it as stdin, mapped.
    pub fn of_parent(parent: u32) -> Result<Shared> {
        let map = MmapRaw::map_raw(&io::stdin()).context("worker: cannot map its stdin");
        let shared = Shared::new_from(map, None)?;
        let from = shared.layout().parent.load(Relaxed);
        ensure!(from == parent, "worker: its stdin is the shared file of {from}, not {parent}");
        Ok(shared)
    }

    fn new_from(map: Result<MmapRaw>, file: Option<File>) -> Result<Shared> {
        let map = map?;
        ensure!(map.len() == size_of::<Layout>(), "the shared file is not a counter");
        Ok(Shared { map, file })
    }

    fn layout(&self) -> &Layout {
        // SAFETY: the pointer comes from the mapping, which is page-aligned, as
        // large as a `Layout` (checked in `map`), and outlives the reference
        // (borrowed from `self`). `Layout` is made of atomics, valid for any
        // bytes, and every process reads and writes these bytes only through them.
        unsafe { &*self.map.as_mut_ptr().cast::<Layout>() }
    }

    /// The file, to hand to a worker as its stdin.
    pub fn file(&self) -> Result<File> {
        let file = self.file.as_ref().context("only the parent hands the file on")?;
        file.try_clone().context("cannot hand the shared file to a worker")
    }

    /// The parent's side of the start gate: once every worker has said
    /// "ready", all of them go at once; each then says `done N`, N the
    /// increments it made while another process counted too: their sum.
    pub fn start_together(&self, procs: &mut Procs) -> Result<u64> {
        let workers = procs.children.len();
        for _ in 0..workers {
            procs.next_line()?; // "ready": it waits at the gate
        }
        self.layout().go.store(1, Release);
        let mut together = 0;
        for _ in 0..workers {
            let (i, done) = procs.next_line()?; // "done N" as it ends
            let n = done.strip_prefix("done ").and_then(|n| n.parse::<u64>().ok());
            together += n.with_context(|| format!("worker {i} answered {done:?}, not `done N`"))?;
        }
        Ok(together)
    }

    /// A worker's side: says "ready", waits at the gate, then runs
    /// `increment(n)` until it has made `iters` increments, 1000 at a time,
    /// and says `done N`. A piece during which the value did not move by
    /// exactly its 1000 was made while another process counted too.
    /// For the timeline: waiting at the gate, then each piece computing, but
    /// for the time it waited for the lock, or for the CPU.
    pub fn count_together(&self, iters: u32, increment: impl Fn(u32)) -> Result<()> {
        crate::procs::answer("ready")?;
        let (mut notes, at_gate) = (Notes::with_capacity(4096), Instant::now());
        while self.layout().go.load(Acquire) == 0 {
            thread::yield_now();
        }
        let mut from = Instant::now();
        notes.note(Doing::Waiting, at_gate, from, None, 0);
        let (mut done, mut together) = (0, 0);
        while done < iters {
            let n = (iters - done).min(1000);
            let (before, waited) = (self.get(), WAITED.get());
            increment(n);
            let moved = self.get().wrapping_sub(before);
            together += if moved == n as i32 { 0 } else { n };
            let (to, waited) = (Instant::now(), WAITED.get() - waited);
            if !waited.is_zero() {
                notes.note(Doing::Waiting, from, from + waited, None, 0);
            }
            notes.note(Doing::Computing, from + waited, to, None, n as usize);
            (done, from) = (done + n, to);
        }
        notes.mark_slow_as_waiting();
        drop(notes);
        crate::procs::answer(format_args!("done {together}"))
    }
}

impl Deref for Shared {
    type Target = Value;

    fn deref(&self) -> &Value {
        &self.layout().value
    }
}
