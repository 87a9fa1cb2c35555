//! Plumbing, not the lesson: a reader can skip this file. It is the same,
//! byte for byte, in every lesson (a check fails when a copy drifts), so
//! that each can be copied on its own, and it is tested once, in `copies/`.
//!
//! - `end_on_panic`: how `main` begins (a panic anywhere ends the program in
//!   one line, a thread that cannot start too); `exit`: how `main` ends (one
//!   line and exit code 1 on an error, quiet under `| head`); `plural`.
//! - `number`: the whole numbers the flags take, as Python writes them
//!   (`50_000_000`), and every flag's range, named (`workers`, `size`, ...);
//!   `Timeline`, the `--timeline FILE.svg` of every lesson with workers.
#![allow(dead_code)] // the same file everywhere: not every lesson uses every part

use std::io::{self, Write};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// How `main` begins: from now on a panic in any thread ends the whole
/// program at once, with one line `error: ...` and exit code 1, and so its
/// workers with it (a worker's line becomes part of its parent's). Std
/// panics when a thread cannot start (`s.spawn(...)`), and inside a thread
/// it has just started when memory runs out; the default hook would end only
/// that thread, leaving the run waiting for an answer that cannot come, and
/// under `RUST_BACKTRACE=1` its backtrace can hang the program for good when
/// no memory is left.
pub fn end_on_panic() {
    std::panic::set_hook(Box::new(|info| {
        static FIRST: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _first = FIRST.lock(); // a second panicking thread waits here
        let payload = info.payload();
        let message = payload.downcast_ref::<&str>().copied();
        let message = message.or(payload.downcast_ref::<String>().map(String::as_str));
        let message = message.unwrap_or("a thread panicked");
        // std's "failed to spawn thread: Os { .., message: \"..\" }", in our words.
        let message = match message.strip_prefix("failed to spawn thread: ") {
            Some(why) => format!("cannot start a thread: {}", os_message(why)),
            None => message.to_string(),
        };
        let _ = writeln!(io::stderr(), "error: {message}");
        std::process::exit(1);
    }));
}

/// The `message: "..."` of an `io::Error`'s debug text, or all of it.
fn os_message(debug: &str) -> &str {
    let message = debug.split_once("message: \"").map(|(_, m)| m);
    message.and_then(|m| m.split_once('"')).map_or(debug, |(m, _)| m)
}

/// How `main` ends: exit code 0, or one line `error: ...` and exit code 1.
/// A write to a pipe whose reader has gone (`| head`, or a worker's parent)
/// ends quietly, as `seq 10 | head -1` does.
pub fn exit(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(io::stderr(), "error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Was this a write to a pipe whose reader has gone?
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.downcast_ref::<io::Error>().is_some_and(|err| err.kind() == io::ErrorKind::BrokenPipe)
}

/// A flag's value: a whole number in `range`, with `_` between digits as in
/// Python (`50_000_000`). What it refuses reads as clap's own refusals do.
pub fn number<T: TryFrom<i128>>(s: &str, range: RangeInclusive<i128>) -> Result<T, String> {
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

/// `2 processes`, `1 thread`: a count and its noun.
pub fn plural(n: usize, noun: &str) -> String {
    match (n, noun.ends_with('s')) {
        (1, _) => format!("1 {noun}"),
        (_, true) => format!("{n} {noun}es"),
        (_, false) => format!("{n} {noun}s"),
    }
}

// Every flag's range, once: `value_parser = cli::workers` reads a number
// (`_` between digits, as in Python) and refuses what is out of its range.

/// `--workers`: 1 to 256 processes or threads.
pub fn workers(s: &str) -> Result<u16, String> {
    number(s, 1..=256)
}

/// `--seed`: any u64.
pub fn seed(s: &str) -> Result<u64, String> {
    number(s, 0..=u64::MAX.into())
}

/// `--n`: 1 to 1,000,000,000 numbers.
pub fn size(s: &str) -> Result<usize, String> {
    number(s, 1..=1_000_000_000)
}

/// `--iters` of threads: 1 to 1,000,000,000 increments each.
pub fn iters(s: &str) -> Result<u32, String> {
    number(s, 1..=1_000_000_000)
}

/// `--iters` of processes on one i32 counter: 1 to 8,000,000 each (256
/// workers times that still fit in an i32).
pub fn i32_iters(s: &str) -> Result<u32, String> {
    number(s, 1..=8_000_000)
}

/// `--tasks` of a pool: 1 to 100,000.
pub fn tasks(s: &str) -> Result<u32, String> {
    number(s, 1..=100_000)
}

/// `--sleep-ms`: 0 to 60,000 ms.
pub fn millis(s: &str) -> Result<u32, String> {
    number(s, 0..=60_000)
}

/// `--reps`: 1 to 100,000,000.
pub fn reps(s: &str) -> Result<u32, String> {
    number(s, 1..=100_000_000)
}

/// `--rounds`: 1 to 10,000,000.
pub fn rounds(s: &str) -> Result<u32, String> {
    number(s, 1..=10_000_000)
}

/// `--width`, `--height`, `--rows-per-task`: 1 to 10,000 pixels.
pub fn pixels(s: &str) -> Result<usize, String> {
    number(s, 1..=10_000)
}

/// `--shm-dir`: a folder that exists.
pub fn folder(s: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(s);
    match path.is_dir() {
        true => Ok(path),
        false => Err(format!("{s:?} is not a folder")),
    }
}

/// `--work`: 0 to 100,000 steps of work.
pub fn steps(s: &str) -> Result<u32, String> {
    number(s, 0..=100_000)
}

/// `--line-mib`, `--max-mib`: 1 to 65,536 MiB.
pub fn mib(s: &str) -> Result<usize, String> {
    number(s, 1..=65_536)
}

/// `--max-iter`: 1 to 1,000,000 steps.
pub fn max_iter(s: &str) -> Result<u32, String> {
    number(s, 1..=1_000_000)
}

/// `--timeline FILE.svg`, the same in every lesson with workers (flattened
/// into its `Args`).
#[derive(clap::Args)]
pub struct Timeline {
    /// Also draw the timelines of the parallel runs into this SVG file
    #[arg(long = "timeline", value_name = "FILE.svg")]
    svg: Option<PathBuf>,
}

impl Timeline {
    /// The file the timelines go to, if one was asked for.
    pub fn svg(&self) -> Option<&Path> {
        self.svg.as_deref()
    }
}
