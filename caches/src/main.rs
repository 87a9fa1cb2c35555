//! Caches, the topic of the lecture folder's `cacheC.c` (its name only: the
//! code was not shown). Three experiments, as Ostrovsky's "Gallery of
//! Processor Cache Effects" and lmbench's `lat_mem_rd` run them: the line,
//! the levels (a random chase through ever larger working sets, each cache
//! a plateau of nanoseconds a load), and a matrix summed by rows and by
//! columns.
//!
//! The lesson: memory moves in lines, through caches of a few sizes, and
//! the same work costs many times more when each access needs a line of
//! its own (docs/lessons.md, "caches"). One run, 2 cores of a Xeon:
//!
//! ```text
//! Line: 64 bytes; the OS says 64 bytes.
//! Plateaus: L1 4 KiB to 32 KiB, 2.3 ns; L2 64 KiB to 1 MiB, 6.7 ns; L3 4 MiB ...
//! Columns: sum = 8380134720, time = 0.134 s, 13.5x the rows' time
//! ```

mod cli;
mod levels;
mod os;

use std::io;

use anyhow::Result;
use clap::Parser;
use rand::SeedableRng;
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;

fn main() -> std::process::ExitCode {
    cli::end_on_panic();
    let args = Args::parse();
    let os = os::caches(); // what the system says of its caches
    let max = levels::check_memory(&args, &os); // a size that cannot fit: refused here
    cli::exit(run(&args, &os, max))
}

/// The three experiments, one after the other.
fn run(args: &Args, os: &os::Caches, max: usize) -> Result<()> {
    let mut out = io::stdout();

    // (a) The line: every k-th u32 of an array, k = 1, 2, 4, ... 1024.
    let numbers = vec![1_u32; args.line_mib * 1024 * 1024 / 4];
    let ks: Vec<usize> = (0..=10).map(|p| 1 << p).collect();
    let times: Vec<_> = ks.iter().map(|&k| levels::fastest(|| touch_every(&numbers, k))).collect();
    drop(numbers);
    levels::print_line(&mut out, args.line_mib, &ks, &times, os)?;

    // (b) The levels: a random chase through working sets of 4 KiB to `max`.
    let mut lines = vec![Line::default(); max / size_of::<Line>()];
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.shuffle(&mut SmallRng::seed_from_u64(1)); // a random order of all the lines
    let (mut found, loads) = (Vec::new(), 1_000_000);
    for bytes in std::iter::successors(Some(4096), |b| Some(b * 2)).take_while(|&b| b <= max) {
        let n = bytes / size_of::<Line>(); // the first n lines, in that order:
        let set: Vec<usize> = order.iter().copied().filter(|&i| i < n).collect();
        one_cycle(&mut lines, &set);
        found.push((bytes, levels::fastest(|| chase(&lines, loads))));
    }
    drop(lines);
    levels::print_levels(&mut out, &found, loads, os)?;

    // (c) A matrix summed by rows, then by columns: the same sum.
    let n = args.matrix;
    let matrix: Vec<u32> = (0..1000).cycle().take(n * n).collect();
    let rows = levels::fastest(|| sum_by_rows(&matrix, n));
    let columns = levels::fastest(|| sum_by_columns(&matrix, n));
    let (by_rows, by_columns) = (sum_by_rows(&matrix, n), sum_by_columns(&matrix, n));
    levels::print_matrix(&mut out, n, (by_rows, rows), (by_columns, columns))
}

/// The sum of every k-th number (Ostrovsky's loop, reading): as long as k
/// numbers fill at most a line, every line is fetched, and the time is the
/// same; past that, each doubling of k halves the lines fetched.
fn touch_every(numbers: &[u32], k: usize) -> u64 {
    numbers.iter().step_by(k).map(|&x| u64::from(x)).sum()
}

/// One pointer to the next line, in a line of its own (64 bytes).
#[derive(Clone, Copy, Default)]
#[repr(align(64))]
struct Line {
    next: usize,
}

/// Links the lines of `order` into one cycle through all of them, in that
/// order (a random one: no prefetcher can guess the next line).
fn one_cycle(lines: &mut [Line], order: &[usize]) {
    for (&from, &to) in order.iter().zip(order.iter().cycle().skip(1)) {
        lines[from].next = to;
    }
}

/// Follows the cycle for `loads` steps: each load waits for the one before,
/// so the time a load takes is the latency of wherever its line is.
fn chase(lines: &[Line], loads: u64) -> usize {
    let mut at = 0;
    for _ in 0..loads {
        at = lines[at].next;
    }
    at
}

/// Row after row: each line fetched brings the next 16 numbers.
fn sum_by_rows(matrix: &[u32], n: usize) -> u64 {
    let mut sum = 0;
    for row in 0..n {
        for column in 0..n {
            sum += u64::from(matrix[row * n + column]);
        }
    }
    sum
}

/// Column after column: consecutive numbers are `n * 4` bytes apart, each
/// in a line (and a page) of its own.
fn sum_by_columns(matrix: &[u32], n: usize) -> u64 {
    let mut sum = 0;
    for column in 0..n {
        for row in 0..n {
            sum += u64::from(matrix[row * n + column]);
        }
    }
    sum
}

/// Three experiments on the caches (the folder's cacheC.c).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// The line experiment's array, in MiB
    #[arg(long, default_value_t = 256, value_parser = cli::mib)]
    line_mib: usize,
    /// The largest working set of the chase, in MiB [default: twice the largest cache the OS reports, at least 256]
    #[arg(long, value_parser = cli::mib)]
    max_mib: Option<usize>,
    /// The side of the matrix summed by rows and by columns
    #[arg(long, default_value_t = 4096, value_parser = cli::pixels)]
    matrix: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A random order of `n` lines, and the lines linked in it.
    fn linked(n: usize, seed: u64) -> (Vec<Line>, Vec<usize>) {
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut SmallRng::seed_from_u64(seed));
        testkit::ends_within("one_cycle", move || {
            let mut lines = vec![Line::default(); n];
            one_cycle(&mut lines, &order);
            (lines, order)
        })
    }

    #[test]
    fn one_cycle_links_every_line_in_the_order_given() {
        for (n, seed) in [(1, 1), (2, 2), (1000, 3)] {
            let (lines, order) = linked(n, seed);
            for (i, pair) in order.iter().zip(order.iter().cycle().skip(1)).enumerate() {
                let (from, to) = pair;
                assert_eq!(
                    lines[*from].next, *to,
                    "one_cycle: line {from}, the {i}th of the order, must point to {to}, the next"
                );
            }
        }
    }

    #[test]
    fn chase_follows_the_cycle_load_after_load() {
        // Linked here, not by one_cycle: chase is judged alone.
        let mut order: Vec<usize> = (0..1000).collect();
        order.shuffle(&mut SmallRng::seed_from_u64(4));
        let mut lines = vec![Line::default(); 1000];
        for (&from, &to) in order.iter().zip(order.iter().cycle().skip(1)) {
            lines[from].next = to;
        }
        let at = order.iter().position(|&i| i == 0).expect("0 is in the order");
        for loads in [0, 1, 2, 999, 1000, 12_345] {
            let expected = order[(at + loads) % 1000];
            let got = testkit::ends_within("chase", {
                let lines = lines.clone();
                move || chase(&lines, loads as u64)
            });
            assert_eq!(
                got, expected,
                "chase: {loads} loads from line 0 end at line {expected}, not {got}"
            );
        }
    }

    #[test]
    fn rows_and_columns_give_the_same_sum_and_every_k_th_is_summed() {
        let matrix: Vec<u32> = (0..1000).cycle().take(37 * 37).collect();
        let all: u64 = matrix.iter().map(|&x| u64::from(x)).sum();
        assert_eq!((sum_by_rows(&matrix, 37), sum_by_columns(&matrix, 37)), (all, all));
        let numbers: Vec<u32> = (0..100).collect();
        assert_eq!(touch_every(&numbers, 1), 4950);
        assert_eq!(touch_every(&numbers, 10), (0..100).step_by(10).sum::<u64>());
    }
}
