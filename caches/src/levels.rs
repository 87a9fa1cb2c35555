//! Measuring, not the lesson: a reader can skip this file. Each point
//! timed until it is stable; the line size and the plateaus read from the
//! times, and claimed only where the times show them; the text charts; and
//! the memory the run needs, checked before any work.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;
use cpu_time::ThreadTime;

use crate::os::{Caches, size};

/// The seconds `work` takes, at its fastest: run until the two fastest runs
/// agree within 5% (at least twice, at most 7 times). On Linux and macOS
/// the seconds are this thread's CPU time, which stops while another
/// program (or, on a virtual machine, the host) has its CPU, where the wall
/// clock goes on; on Windows, whose thread clock ticks every 15 ms, the
/// wall clock's.
pub fn fastest<T>(mut work: impl FnMut() -> T) -> f64 {
    let mut times = Vec::new();
    for _ in 0..7 {
        let (start, cpu) = (timing::now(), ThreadTime::try_now().ok());
        std::hint::black_box(work());
        let wall = timing::since(start);
        let cpu = cpu.and_then(|cpu| cpu.try_elapsed().ok()).map(|d| d.as_secs_f64());
        times.push(match cpu {
            Some(cpu) if cfg!(unix) && cpu > 0.0 => cpu,
            _ => wall,
        });
        times.sort_by(f64::total_cmp);
        if times.len() >= 2 && times[1] <= times[0] * 1.05 {
            break;
        }
    }
    times[0]
}

/// The largest working set of the chase, in bytes: `--max-mib`, or twice
/// the largest cache the system reports (at least 256 MiB), as a power of
/// two. A run that would need more memory than is free is refused here, in
/// one line, before any work.
pub fn check_memory(args: &crate::Args, os: &Caches) -> usize {
    let max = match args.max_mib {
        Some(mib) => mib << 20,
        None => default_max(os.largest()),
    };
    let need = max.max(args.line_mib << 20).max(args.matrix * args.matrix * 4);
    if let Some(free) = free_memory().filter(|&free| need > free) {
        let message = format!(
            "the run needs {} of memory and {} is free: give a smaller --max-mib or --line-mib",
            size(need),
            size(free)
        );
        crate::Args::command().error(clap::error::ErrorKind::ValueValidation, message).exit();
    }
    max
}

/// The chase's largest working set unless `--max-mib` says: twice the
/// largest cache, and 256 MiB at least, as a power of two.
fn default_max(largest_cache: usize) -> usize {
    (2 * largest_cache).max(256 << 20).next_power_of_two()
}

/// The memory free for a program now, where the system says (Linux).
fn free_memory() -> Option<usize> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// A bar of `#` as long as `value` is to `largest`, at most 40.
fn bar(value: f64, largest: f64) -> String {
    #[expect(clippy::cast_possible_truncation, reason = "1 to 40")]
    let length = (40.0 * value / largest).round().clamp(1.0, 40.0) as usize;
    "#".repeat(length)
}

/// The line experiment's lines, and the line it shows, read from the
/// slopes of the times in halvings per doubling of k: the smallest line
/// (32 to 256 bytes) such that, up to the k whose numbers fill it, the time
/// fell far less than the numbers (-0.55 a doubling on average, or gentler:
/// every line still fetched), and over the four doublings after, by about
/// half a doubling (-0.7 on average, or steeper: fewer lines). A prefetcher
/// that fetches some lines in pairs blurs the bend over a doubling; four
/// doublings see through it. Claimed only when the times show it.
pub fn print_line(
    out: &mut impl Write,
    mib: usize,
    ks: &[usize],
    times: &[f64],
    os: &Caches,
) -> Result<()> {
    writeln!(out, "The line: the sum of every k-th u32 of {mib} MiB, time a pass:")?;
    let largest = times.iter().copied().fold(0.0, f64::max);
    for (k, time) in ks.iter().zip(times) {
        writeln!(out, "  k = {k:4}: {:7.2} ms {}", time * 1e3, bar(*time, largest))?;
    }
    let slopes: Vec<f64> = times.windows(2).map(|t| (t[1] / t[0]).log2()).collect();
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
    // ks[i] numbers of 4 bytes fill the line: i = 3 for 32 bytes, ... 6 for 256.
    let found = (3..=6)
        .filter(|&i| i + 4 <= slopes.len())
        .find(|&i| mean(&slopes[..i]) >= -0.55 && mean(&slopes[i..i + 4]) <= -0.7);
    let said = match os.line {
        Some(line) => format!("the OS says {line} bytes"),
        None => "the OS does not say".to_string(),
    };
    match found {
        Some(i) => {
            writeln!(
                out,
                "From k = 1 to {} the numbers summed fell {0}x and the time {:.1}x: every line \
                 was still fetched. From there on, each doubling of k about halves the time: \
                 half the lines.",
                ks[i],
                times[0] / times[i]
            )?;
            writeln!(out, "Line: {} bytes; {said}.", ks[i] * 4)?;
        }
        None => writeln!(
            out,
            "Line: not found this time (the times do not fall in halves: a busy machine?); {said}."
        )?,
    }
    Ok(())
}

/// The chase's lines, and its plateaus: runs of working sets whose times
/// stay within 2x of each other, between jumps of 1.8x or more from one
/// size to the next; a plateau of fewer than two sizes is not claimed.
pub fn print_levels(
    out: &mut impl Write,
    points: &[(usize, f64)],
    loads: u64,
    os: &Caches,
) -> Result<()> {
    let Some(&(max, _)) = points.last() else { return Ok(()) };
    writeln!(out, "\nThe levels: a random chase through 4 KiB to {}, ns a load:", size(max))?;
    let found: Vec<(usize, f64)> =
        points.iter().map(|&(bytes, seconds)| (bytes, seconds / loads as f64 * 1e9)).collect();
    let largest = found.iter().map(|f| f.1).fold(0.0, f64::max);
    for &(bytes, ns) in &found {
        writeln!(out, "  {:>8}: {ns:7.1} ns {}", size(bytes), bar(ns.ln_1p(), largest.ln_1p()))?;
    }
    let mut plateaus: Vec<Vec<(usize, f64)>> = vec![Vec::new()];
    for (i, &point) in found.iter().enumerate() {
        if i > 0 && point.1 >= found[i - 1].1 * 1.8 {
            plateaus.push(Vec::new());
        }
        plateaus.last_mut().expect("one at least").push(point);
    }
    let claimed: Vec<&Vec<(usize, f64)>> = plateaus
        .iter()
        .filter(|p| p.len() >= 2 && p.last().map_or(0.0, |l| l.1) <= p[0].1 * 2.0)
        .collect();
    // Named L1, L2, ... and memory when there is one more than the OS's caches.
    let named = claimed.len() == os.caches.len() + 1;
    let described: Vec<String> = claimed
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut ns: Vec<f64> = p.iter().map(|f| f.1).collect();
            ns.sort_by(f64::total_cmp);
            let name = match (named, i == claimed.len() - 1) {
                (true, true) => "memory ".to_string(),
                (true, false) => format!("L{} ", i + 1),
                (false, _) => String::new(),
            };
            let (first, last) = (size(p[0].0), size(p[p.len() - 1].0));
            format!("{name}{first} to {last}, {:.1} ns", ns[ns.len() / 2])
        })
        .collect();
    match described.is_empty() {
        true => writeln!(out, "Plateaus: none found this time (a busy machine?)")?,
        false => writeln!(out, "Plateaus: {}.", described.join("; "))?,
    }
    match os.source {
        "" => writeln!(out, "The OS says nothing of its caches here.")?,
        source => writeln!(out, "The OS says ({source}): {}.", os.names())?,
    }
    // The last cache's plateau, far short of the size the OS gives it.
    let last_cache = claimed.len().checked_sub(2).filter(|_| named);
    let last_cache = last_cache.map(|i| claimed[i]);
    if let Some(&(end, _)) = last_cache.and_then(|p| p.last())
        && end * 4 <= os.largest()
    {
        writeln!(
            out,
            "The last cache's plateau ends at {}, far short of the {} the OS gives it: that \
             cache is shared with the other cores of the chip (and, on a virtual machine, \
             with other machines).",
            size(end),
            size(os.largest())
        )?;
    }
    Ok(())
}

/// The matrix's two lines, each `(sum, seconds)`, and why the columns took
/// longer, said only when they did.
pub fn print_matrix(
    out: &mut impl Write,
    n: usize,
    (by_rows, rows): (u64, f64),
    (by_columns, columns): (u64, f64),
) -> Result<()> {
    let ratio = columns / rows;
    writeln!(out, "\nA {n} x {n} matrix of u32, summed:")?;
    writeln!(out, "Rows:    sum = {by_rows}, time = {rows:.3} s")?;
    writeln!(
        out,
        "Columns: sum = {by_columns}, time = {columns:.3} s, {ratio:.1}x the rows' time"
    )?;
    if ratio >= 2.0 {
        writeln!(
            out,
            "By columns, consecutive numbers are {} bytes apart: each needs a line of its own, \
             fetched for one number of its 16, where by rows one line serves 16 in a row.",
            n * 4
        )?;
    } else {
        writeln!(
            out,
            "By columns it took only {ratio:.1}x the rows' time this time: the matrix fits in a \
             cache, or the machine was busy."
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_chase_reaches_twice_the_largest_cache_and_256_mib_at_least() {
        let mib = |m: usize| m << 20;
        for (largest, max) in [(0, 256), (mib(32), 256), (mib(128), 256), (mib(200), 512)] {
            assert_eq!(default_max(largest), mib(max), "largest cache {largest}");
        }
        assert_eq!(default_max(mib(300)), 1 << 30); // this machine's L3
    }
}
