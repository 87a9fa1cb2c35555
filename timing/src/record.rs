//! The record behind the timeline: which worker did what, and when.
//!
//! `record()` starts one; from then on a thread notes what it does
//! (`computing().task(3)`, a guard, or `Notes`, a buffer for loops), each
//! thread on its own row. A worker process records on its own clock and
//! sends its spans along with its answer (`report`); the parent places them
//! on its clock (`place`), each process on a row of its own. `finish()`
//! ends the record and hands it over as a `Timeline`.

use std::cell::Cell;
use std::fmt::Write as _;
use std::sync::{Mutex, PoisonError};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// What a worker was doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Doing {
    /// Starting: from the parent's spawn to the worker's first instruction.
    Starting,
    /// Taking its input: reading what the parent sends.
    Input,
    /// Computing: the work itself.
    Computing,
    /// Answering: preparing and sending its answer.
    Answering,
    /// Waiting: for a lock, a task, or the others.
    Waiting,
}

impl Doing {
    /// Every kind, in the legend's order.
    pub const ALL: [Doing; 5] =
        [Doing::Starting, Doing::Input, Doing::Computing, Doing::Answering, Doing::Waiting];

    /// The character that draws it in a timeline.
    pub fn mark(self) -> char {
        match self {
            Doing::Starting => '~',
            Doing::Input => '<',
            Doing::Computing => '#',
            Doing::Answering => '>',
            Doing::Waiting => '.',
        }
    }

    /// Its name in the legend and in the record file.
    pub fn name(self) -> &'static str {
        match self {
            Doing::Starting => "starting",
            Doing::Input => "input",
            Doing::Computing => "computing",
            Doing::Answering => "answering",
            Doing::Waiting => "waiting",
        }
    }

    /// Its letter in a worker's report.
    fn code(self) -> char {
        self.name().chars().next().expect("a name has a first letter")
    }

    fn of_code(code: char) -> Option<Doing> {
        Doing::ALL.into_iter().find(|d| d.code() == code)
    }
}

/// A stretch of one worker's time, in seconds from the start of the run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span {
    pub doing: Doing,
    pub from: f64,
    pub to: f64,
    /// Which task it was about, if the work comes in tasks.
    pub task: Option<usize>,
    /// How much work: elements summed, rows drawn, increments made (0: none said).
    pub size: usize,
}

/// Whose row a span goes on: a worker process (by its number), a thread
/// that says which worker it is, or any other thread.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    Process(usize),
    Worker(usize),
    Thread(ThreadId),
}

/// The record being made.
struct Recording {
    start: Instant,
    /// The same moment on the system's clock, which every process reads
    /// alike: how a worker's start is placed on this record's clock.
    since_epoch: Option<Duration>,
    main: ThreadId,
    rows: Vec<(Who, Vec<Span>)>,
    /// Each worker process: when the parent started it, and, once its first
    /// answer has come, when it started on this clock.
    processes: Vec<(usize, Instant, Option<Instant>)>,
}

impl Recording {
    fn row(&mut self, who: Who) -> &mut Vec<Span> {
        let i = match self.rows.iter().position(|(w, _)| *w == who) {
            Some(i) => i,
            None => {
                self.rows.push((who, Vec::new()));
                self.rows.len() - 1
            }
        };
        &mut self.rows[i].1
    }

    fn seconds(&self, at: Instant) -> f64 {
        at.saturating_duration_since(self.start).as_secs_f64()
    }

    fn note(&mut self, who: Who, note: Note) {
        let (doing, from, to, task, size) = note;
        let span = Span { doing, from: self.seconds(from), to: self.seconds(to), task, size };
        self.row(who).push(span);
    }
}

/// What a thread notes: doing what, from when, to when, which task, how much.
type Note = (Doing, Instant, Instant, Option<usize>, usize);

static RECORDING: Mutex<Option<Recording>> = Mutex::new(None);

/// Runs `f` on the record being made, if one is.
fn with<R>(f: impl FnOnce(&mut Recording) -> R) -> Option<R> {
    let mut recording = RECORDING.lock().unwrap_or_else(PoisonError::into_inner);
    recording.as_mut().map(f)
}

/// `start = time.time()`, and a new record from this moment on: what every
/// worker does is noted until `finish`. Returns the moment it started.
pub fn record() -> Instant {
    let start = Instant::now();
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).ok();
    let main = thread::current().id();
    let recording = Recording { start, main, since_epoch, rows: Vec::new(), processes: Vec::new() };
    *RECORDING.lock().unwrap_or_else(PoisonError::into_inner) = Some(recording);
    start
}

/// From its creation until it is dropped, this thread was `doing` something:
/// `let _timeline = timing::computing().task(3).size(100);`. A guard made
/// while another of the same thread lives is part of that one's span: the
/// outer span is the one noted, and what it does not say (its task, its
/// size) the inner ones tell it.
#[must_use = "the span ends when the guard is dropped"]
pub struct Guard {
    doing: Doing,
    from: Instant,
    task: Option<usize>,
    size: usize,
    outer: bool,
}

thread_local! {
    /// How many guards of this thread are alive.
    static GUARDS: Cell<usize> = const { Cell::new(0) };
    /// What the inner guards of this thread's outer one said: a task, a size.
    static INNER: Cell<(Option<usize>, usize)> = const { Cell::new((None, 0)) };
}

impl Guard {
    /// Which task the span is about.
    pub fn task(mut self, task: usize) -> Guard {
        self.task = Some(task);
        self
    }

    /// How much work the span does.
    pub fn size(mut self, size: usize) -> Guard {
        self.size = size;
        self
    }

    /// `f()`, as the span: it ends as `f` returns.
    pub fn then<T>(self, f: impl FnOnce() -> T) -> T {
        let value = f();
        drop(self);
        value
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        GUARDS.set(GUARDS.get() - 1);
        let (task, size) = INNER.get();
        if !self.outer {
            INNER.set((task.or(self.task), size + self.size));
        } else {
            INNER.set((None, 0));
            let (task, size) = (self.task.or(task), if self.size == 0 { size } else { self.size });
            let note = (self.doing, self.from, Instant::now(), task, size);
            let who = Who::Thread(thread::current().id());
            with(|r| r.note(who, note));
        }
    }
}

/// This thread is `doing` something until the guard is dropped.
pub fn doing(doing: Doing) -> Guard {
    let outer = GUARDS.get() == 0;
    GUARDS.set(GUARDS.get() + 1);
    Guard { doing, from: Instant::now(), task: None, size: 0, outer }
}

/// This thread takes its input (reads what the parent sends) until the
/// guard is dropped.
pub fn input() -> Guard {
    doing(Doing::Input)
}

/// This thread computes until the guard is dropped.
pub fn computing() -> Guard {
    doing(Doing::Computing)
}

/// This thread waits until the guard is dropped.
pub fn waiting() -> Guard {
    doing(Doing::Waiting)
}

/// Spans a thread notes in a loop that is being timed: kept in a buffer
/// made before the loop (no lock, no allocation, no system call while it
/// runs), and handed to the record once, when dropped. A buffer that fills
/// up halves its detail: each two spans in a row become one.
pub struct Notes {
    who: Option<usize>,
    notes: Vec<Note>,
}

impl Notes {
    /// Room for `n` spans of this thread.
    pub fn with_capacity(n: usize) -> Notes {
        Notes { who: None, notes: Vec::with_capacity(n) }
    }

    /// Room for `n` spans of worker `i`, a thread of a run of several: each
    /// run's thread `i` goes on the same row, `thread i`.
    pub fn of_worker(i: usize, n: usize) -> Notes {
        Notes { who: Some(i), notes: Vec::with_capacity(n) }
    }

    /// This thread was `doing` something from `from` to `to`.
    pub fn note(
        &mut self,
        doing: Doing,
        from: Instant,
        to: Instant,
        task: Option<usize>,
        size: usize,
    ) {
        if self.notes.len() == self.notes.capacity() {
            self.halve();
        }
        self.notes.push((doing, from, to, task, size));
    }

    /// Each two spans in a row made one, of the kind that took longer.
    fn halve(&mut self) {
        let n = self.notes.len() / 2;
        for k in 0..n {
            let (a, b) = (self.notes[2 * k], self.notes[2 * k + 1]);
            let doing = if a.2 - a.1 >= b.2 - b.1 { a.0 } else { b.0 };
            self.notes[k] = (doing, a.1, b.2, a.3.or(b.3), a.4 + b.4);
        }
        if self.notes.len() % 2 == 1 {
            self.notes[n] = self.notes[2 * n];
        }
        self.notes.truncate(self.notes.len().div_ceil(2));
    }

    /// When this thread computed: each span it noted so, and its size.
    pub fn computing(&self) -> Vec<(Instant, Instant, usize)> {
        let computing = self.notes.iter().filter(|n| n.0 == Doing::Computing);
        computing.map(|&(_, from, to, _, size)| (from, to, size)).collect()
    }

    /// A piece of a loop that took far longer than most (20 times the
    /// median, and 50 µs or more) was mostly spent not running: another
    /// thread had the CPU. Each is noted as waiting but for its last median
    /// span, so that threads that took turns show taking turns.
    pub fn mark_slow_as_waiting(&mut self) {
        let computing = |n: &&Note| n.0 == Doing::Computing;
        let mut times: Vec<Duration> =
            self.notes.iter().filter(computing).map(|n| n.2 - n.1).collect();
        times.sort();
        let Some(&median) = times.get(times.len() / 2) else { return };
        let slow = (median * 20).max(Duration::from_micros(50));
        let mut marked = Vec::with_capacity(self.notes.len());
        for &(doing, from, to, task, size) in &self.notes {
            match doing == Doing::Computing && to - from > slow {
                true => {
                    marked.push((Doing::Waiting, from, to - median, None, 0));
                    marked.push((doing, to - median, to, task, size));
                }
                false => marked.push((doing, from, to, task, size)),
            }
        }
        self.notes = marked;
    }
}

impl Drop for Notes {
    fn drop(&mut self) {
        let who = self.who.map_or(Who::Thread(thread::current().id()), Who::Worker);
        let notes = std::mem::take(&mut self.notes);
        with(|r| notes.into_iter().for_each(|note| r.note(who, note)));
    }
}

/// A worker process's report of what it did since its last one, to send
/// with its answer: `@NOW=START` and its spans, in microseconds from the
/// start of its own record (`record()`, the worker's first act), START
/// being that start on the system's clock. Empty when it keeps no record.
pub fn report() -> String {
    let now = Instant::now();
    with(|r| {
        let mut text = format!("@{}", micros(now.saturating_duration_since(r.start)));
        if let Some(start) = r.since_epoch {
            let _ = write!(text, "={}", micros(start));
        }
        for (_, spans) in &mut r.rows {
            for span in spans.drain(..) {
                let (from, to) = (micros_of(span.from), micros_of(span.to));
                let _ = write!(text, " {}{from}-{to}", span.doing.code());
                if let Some(task) = span.task {
                    let _ = write!(text, ":{task}");
                }
                if span.size > 0 {
                    let _ = write!(text, "/{}", span.size);
                }
            }
        }
        text
    })
    .unwrap_or_default()
}

fn micros(d: Duration) -> u128 {
    d.as_micros()
}

fn micros_of(seconds: f64) -> u128 {
    micros(Duration::from_secs_f64(seconds.max(0.0)))
}

/// The parent started worker process `worker` at `at`: its row begins.
pub fn started(worker: usize, at: Instant) {
    with(|r| {
        r.row(Who::Process(worker));
        r.processes.push((worker, at, None));
    });
}

/// Worker process `worker`'s report, which reached the parent at
/// `received`, placed on the parent's clock (the first report fixes where):
/// the worker's own start is where the system's clock says, if that is
/// after the parent started it and no later than `received` less the
/// report's `@NOW`; else that latest moment (late by however long the
/// answer took to be read: a busy machine's time slice, at worst).
/// Says what it cannot read.
pub fn place(worker: usize, received: Instant, report: &str) -> Result<(), String> {
    let bad = || format!("{report:?} is not a report of spans");
    let mut words = report.split(' ');
    let (now, started) = words
        .next()
        .and_then(|w| {
            let w = w.strip_prefix('@')?;
            let (now, started) = w.split_once('=').map_or((w, None), |(n, s)| (n, Some(s)));
            Some((now.parse::<u64>().ok()?, started.map(str::parse::<u64>).transpose().ok()?))
        })
        .ok_or_else(bad)?;
    let mut spans = Vec::new();
    for word in words {
        spans.push(parse_span(word).ok_or_else(bad)?);
    }
    with(|r| {
        let at = r.processes.iter().position(|p| p.0 == worker);
        let spawned = at.map_or(r.start, |at| r.processes[at].1);
        let placed = at.and_then(|at| r.processes[at].2);
        let origin = placed.unwrap_or_else(|| {
            let latest = received.checked_sub(Duration::from_micros(now)).unwrap_or(spawned);
            let by_clock = started.zip(r.since_epoch).and_then(|(started, parent)| {
                r.start.checked_add(Duration::from_micros(started).checked_sub(parent)?)
            });
            let origin = match by_clock {
                Some(at) if at >= spawned && at <= latest => at,
                _ => latest.max(spawned),
            };
            if let Some(at) = at {
                r.processes[at].2 = Some(origin);
            }
            r.note(Who::Process(worker), (Doing::Starting, spawned, origin, None, 0));
            origin
        });
        for (doing, from, to, task, size) in spans {
            let (from, to) = (origin + from, origin + to);
            r.note(Who::Process(worker), (doing, from, to, task, size));
        }
    });
    Ok(())
}

/// One span of a report: `c120-450:3/1000` (computing, from 120 to 450 µs,
/// task 3, 1000 of work).
fn parse_span(word: &str) -> Option<(Doing, Duration, Duration, Option<usize>, usize)> {
    let mut chars = word.chars();
    let doing = Doing::of_code(chars.next()?)?;
    let rest = chars.as_str();
    let (rest, size) = match rest.split_once('/') {
        Some((rest, size)) => (rest, size.parse().ok()?),
        None => (rest, 0),
    };
    let (rest, task) = match rest.split_once(':') {
        Some((rest, task)) => (rest, Some(task.parse().ok()?)),
        None => (rest, None),
    };
    let (from, to) = rest.split_once('-')?;
    let (from, to) = (from.parse().ok()?, to.parse().ok()?);
    (from <= to).then_some((
        doing,
        Duration::from_micros(from),
        Duration::from_micros(to),
        task,
        size,
    ))
}

/// A finished record: one row per worker over the run's wall time.
#[derive(Clone, Debug)]
pub struct Timeline {
    /// What the run was, e.g. "2 processes".
    pub title: String,
    /// Its length, in seconds.
    pub wall: f64,
    /// Each worker's name ("worker 0", "thread 1", "main") and spans, in time order.
    pub workers: Vec<(String, Vec<Span>)>,
}

/// Ends the record that `record()` began, and hands it over. Worker
/// processes come first, by number; then threads, as they first did
/// something; last `main`, the thread that began the record, if it did
/// anything itself. Every span lies within the run.
pub fn finish(title: &str) -> Timeline {
    let end = Instant::now();
    let recording = RECORDING.lock().unwrap_or_else(PoisonError::into_inner).take();
    let Some(mut r) = recording else {
        return Timeline { title: title.to_string(), wall: 0.0, workers: Vec::new() };
    };
    let wall = r.seconds(end);
    let first = |spans: &[Span]| spans.iter().map(|s| s.from).fold(f64::MAX, f64::min);
    r.rows.sort_by(|(a, sa), (b, sb)| {
        let rank = |who: &Who, spans: &[Span]| match *who {
            Who::Process(i) | Who::Worker(i) => (0, i as f64),
            Who::Thread(id) if id == r.main => (2, 0.0),
            Who::Thread(_) => (1, first(spans)),
        };
        rank(a, sa).partial_cmp(&rank(b, sb)).expect("no NaN in a record")
    });
    let mut threads = 0;
    let workers = r
        .rows
        .into_iter()
        .map(|(who, mut spans)| {
            let name = match who {
                Who::Process(i) => format!("worker {i}"),
                Who::Worker(i) => format!("thread {i}"),
                Who::Thread(id) if id == r.main => "main".to_string(),
                Who::Thread(_) => {
                    threads += 1;
                    format!("thread {}", threads - 1)
                }
            };
            for span in &mut spans {
                (span.from, span.to) = (span.from.min(wall), span.to.min(wall));
            }
            spans.sort_by(|a, b| a.from.total_cmp(&b.from));
            (name, spans)
        })
        .collect();
    let timeline = Timeline { title: title.to_string(), wall, workers };
    crate::picture::keep(&timeline);
    timeline
}

impl Timeline {
    /// Seconds each worker spent computing, in the order of `workers`
    /// (`main` left out).
    pub fn busy(&self) -> Vec<f64> {
        let computing = |spans: &[Span]| {
            let spans = spans.iter().filter(|s| s.doing == Doing::Computing);
            spans.map(|s| s.to - s.from).sum()
        };
        self.workers.iter().filter(|(name, _)| name != "main").map(|(_, s)| computing(s)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_reads_back_from_its_report_form() {
        let micros = Duration::from_micros;
        let span = (Doing::Computing, micros(120), micros(450), Some(3), 1000);
        assert_eq!(parse_span("c120-450:3/1000"), Some(span));
        assert_eq!(parse_span("w0-7"), Some((Doing::Waiting, micros(0), micros(7), None, 0)));
        for bad in ["x1-2", "c2-1", "c1", "c1-2:x", ""] {
            assert_eq!(parse_span(bad), None, "{bad}");
        }
    }
}
