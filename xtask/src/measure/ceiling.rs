//! This machine's ceilings, measured beside the lessons: how fast memory can
//! be summed with one thread and with several (what caps `vec_add` and
//! `vec_add_shm`), how fast a pipe carries bytes to another process (the
//! floor under `vec_add`'s copy), and what one worker process costs to start.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;

use anyhow::{Context, Result, ensure};

/// The lessons' i64 array: n numbers in 1..=99, every page touched.
pub fn array(n: usize) -> Vec<i64> {
    (1..=99).cycle().take(n).collect()
}

/// Sums `arr` with `threads` threads, the calling one included, as fast as
/// plain Rust can: the ceiling for a partial sum held in memory.
pub fn memory_sum(arr: &[i64], threads: usize) -> Result<f64> {
    let n = arr.len();
    let chunk = |i: usize| &arr[i * n / threads..(i + 1) * n / threads];
    // An untimed pass first, which the check needs anyway: after the lessons
    // have run, the first pass over the array was up to 1.9x slower than the
    // next here, which made the one-thread ceiling slow and the ratios of the
    // others to it look better than they are.
    let expected: i64 = arr.iter().sum();
    let start = timing::now();
    let total: i64 = thread::scope(|s| {
        let mut handles = Vec::new();
        for i in 1..threads {
            let chunk = chunk(i);
            let handle = thread::Builder::new().spawn_scoped(s, move || chunk.iter().sum::<i64>());
            handles.push(handle.context("cannot start a thread")?);
        }
        let mine: i64 = chunk(0).iter().sum();
        let others: i64 = handles.into_iter().map(|h| h.join().expect("a sum cannot panic")).sum();
        anyhow::Ok(mine + others)
    })?;
    let elapsed = timing::since(start);
    ensure!(total == expected, "the threads' sum is wrong");
    Ok(elapsed)
}

/// Writes `arr` through a pipe to another process (`xtask sink`), from
/// the array as `vec_add` does, and waits for the other end to have read it.
pub fn pipe(arr: &[i64], sink: &Path) -> Result<f64> {
    let mut child = Command::new(sink)
        .arg("sink")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", sink.display()))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let start = timing::now();
    stdin.write_all(bytemuck::cast_slice(arr)).context("the pipe's far end closed")?;
    drop(stdin);
    let mut answer = String::new();
    stdout.read_to_string(&mut answer)?;
    let elapsed = timing::since(start);
    child.wait()?;
    ensure!(
        answer.trim() == (arr.len() * 8).to_string(),
        "the far end of the pipe read {} bytes",
        answer.trim()
    );
    Ok(elapsed)
}

/// From asking for a worker process to seeing it end: one lesson's worker
/// (`heavy_sum --worker`) given nothing to sum.
pub fn worker_start(lesson: &Path) -> Result<f64> {
    let start = timing::now();
    let output = Command::new(lesson)
        .args(["--worker", &std::process::id().to_string()])
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot start {}", lesson.display()))?;
    let elapsed = timing::since(start);
    ensure!(
        output.status.success() && output.stdout.starts_with(b"0"),
        "{} --worker did not sum nothing to 0",
        lesson.display()
    );
    Ok(elapsed)
}
