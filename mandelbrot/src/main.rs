//! `mandelB.py` in Rust. The lecture's folder lists that script, but its code
//! was not shown: this is the lesson a parallel Mandelbrot set teaches, in the
//! shape of the lecture's other scripts. The set is computed row by row,
//! sequentially and then in worker processes, twice: the rows split into
//! equal blocks, one per worker (a first attempt), and the rows handed out a
//! few at a time to whichever worker is free (`pool.imap(f, rows, chunksize=4)`).
//!
//! The lesson: load balance. A point inside the set costs MAX_ITER steps, a
//! point far outside it a few, so equal blocks of rows are not equal work,
//! and a run lasts as long as its busiest worker. One run on a 2-core machine:
//!
//! ```text
//! Sequential time: 0.53 s
//! Parallel time (blocks of rows): 0.40 s
//! Speedup: 1.31x with 2 processes
//! Busy: 0.14 s, 0.39 s
//! Parallel time (4 rows at a time): 0.28 s
//! Speedup: 1.91x with 2 processes
//! Busy: 0.27 s, 0.25 s
//! Images are the same: true
//! ```
//!
//! The last lines say what the numbers showed (on a busy machine, or with
//! one worker, that there was nothing to see), and where the picture went:
//! `--out mandelbrot.png` writes it, each worker's block of rows in its own
//! colour. `--threads` runs both splits with threads. `procs.rs` is plumbing.

mod procs;

use std::env;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::num::NonZero;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::{self, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::thread;

use anyhow::{Context, Result, ensure};
use clap::Parser;
use procs::{Procs, number};

/// The part of the plane drawn: the whole set, and more of its upper half
/// than of its lower, so that equal blocks of rows cost unequal work.
const LEFT: f64 = -2.2;
const RIGHT: f64 = 0.8;
const TOP: f64 = 1.25;
const BOTTOM: f64 = -0.75;

/// How many steps z -> z*z + c, from z = 0, take z beyond |z| = 2: at most
/// `max_iter` (then c is taken to be in the set).
fn escape_time(c_re: f64, c_im: f64, max_iter: u32) -> u32 {
    let (mut re, mut im) = (0.0_f64, 0.0_f64);
    for i in 0..max_iter {
        if re * re + im * im > 4.0 {
            return i;
        }
        (re, im) = (re * re - im * im + c_re, 2.0 * re * im + c_im);
    }
    max_iter
}

/// The work of one task: rows `rows` of the picture, a grey level per pixel,
/// black inside the set and the brighter the sooner a point escapes.
fn render_rows(rows: Range<usize>, grid: &Grid) -> Vec<u8> {
    let mut pixels = Vec::with_capacity(rows.len() * grid.width);
    for row in rows {
        let c_im = TOP - (row as f64 + 0.5) * (TOP - BOTTOM) / grid.height as f64;
        for column in 0..grid.width {
            let c_re = LEFT + (column as f64 + 0.5) * (RIGHT - LEFT) / grid.width as f64;
            let steps = escape_time(c_re, c_im, grid.max_iter);
            // On a log scale: most points escape within a few steps.
            let dark = f64::from(steps).ln_1p() / f64::from(grid.max_iter).ln_1p();
            #[expect(clippy::cast_possible_truncation, reason = "0 <= dark <= 1")]
            let grey = (255.0 * (1.0 - dark)).round() as u8;
            pixels.push(grey);
        }
    }
    pixels
}

fn main() -> ExitCode {
    procs::end_on_panic();
    let args = Args::parse();
    procs::exit(match args.worker {
        Some(parent) => worker(parent, &args),
        None => run(&args),
    })
}

/// The script's main block.
fn run(args: &Args) -> Result<()> {
    timing::warn_if_unoptimised();
    let grid = Grid::of(args);
    let h = grid.height;
    let mut out = io::stdout();

    // Sequential
    let start = timing::now();
    let image = render_rows(0..h, &grid);
    let time = timing::since(start);
    writeln!(out, "Sequential time: {time:.2} s")?;

    // Parallel, twice: the same pool, the rows cut into tasks two ways.
    let cpus = thread::available_parallelism().map_or(1, NonZero::get);
    let workers = args.workers.map_or(cpus, usize::from);
    let blocks: Vec<Range<usize>> =
        (0..workers).map(|i| i * h / workers..(i + 1) * h / workers).collect();
    let step = args.rows_per_task;
    let rows: Vec<Range<usize>> = (0..h).step_by(step).map(|r| r..(r + step).min(h)).collect();
    let mut runs = Vec::new();
    for (how, tasks) in
        [("blocks of rows".to_string(), blocks), (format!("{step} rows at a time"), rows)]
    {
        let start = timing::now();
        let run = match args.threads {
            true => render_in_threads(&tasks, workers, &grid)?,
            false => render_in_processes(&tasks, workers, args)?,
        };
        let par_time = timing::since(start);
        writeln!(out, "Parallel time ({how}): {par_time:.2} s")?;
        let kind = match (args.threads, workers) {
            (true, 1) => "thread",
            (true, _) => "threads",
            (false, 1) => "process",
            (false, _) => "processes",
        };
        writeln!(out, "Speedup: {:.2}x with {workers} {kind}", time / par_time)?;
        let busy: Vec<String> = run.busy.iter().map(|s| format!("{s:.2} s")).collect();
        writeln!(out, "Busy: {}", busy.join(", "))?;
        runs.push((par_time, run));
    }
    let same = runs.iter().all(|(_, run)| run.image == image);
    writeln!(out, "Images are the same: {same}")?;
    ensure!(same, "a parallel image differs from the sequential one");
    writeln!(out, "{}", lesson(&runs[0].1, runs[0].0, &runs[1].1, runs[1].0))?;
    match &args.out {
        Some(path) => {
            write_png(path, &image, &runs[0].1.worker_of_row, &grid)?;
            writeln!(
                out,
                "Image: {} (each worker's block of rows in its own colour)",
                path.display()
            )?;
        }
        None => writeln!(out, "Image: not written (--out mandelbrot.png writes it)")?,
    }
    Ok(())
}

/// What the two runs showed, in one sentence: only what their numbers say.
/// A run is uneven when its busiest worker was busy over 1.25x the mean.
fn lesson(blocks: &Rendered, blocks_time: f64, rows: &Rendered, rows_time: f64) -> String {
    let busiest = |run: &Rendered| run.busy.iter().copied().fold(0.0, f64::max);
    let uneven =
        |run: &Rendered| busiest(run) > 1.25 * run.busy.iter().sum::<f64>() / run.busy.len() as f64;
    if blocks.busy.len() == 1 {
        "With one worker there is nothing to balance: try --workers 2 or more.".to_string()
    } else if uneven(blocks) && !uneven(rows) && rows_time < 0.9 * blocks_time {
        format!(
            "Equal blocks are not equal work: the blocks run lasted as long as its busiest \
             worker ({:.2} s); rows handed out as workers were free kept them all busy.",
            busiest(blocks)
        )
    } else if !uneven(blocks) {
        "The blocks happened to cost about the same here: try --workers 3.".to_string()
    } else {
        "The blocks' work was uneven, but handing out rows gained nothing here: the workers \
         could not run at once (more workers than free CPUs?)."
            .to_string()
    }
}

/// The Mandelbrot set in worker processes or threads (mandelB.py).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// Pixels across
    #[arg(long, default_value_t = 1200, value_parser = size)]
    width: usize,
    /// Pixels down (rows)
    #[arg(long, default_value_t = 800, value_parser = size)]
    height: usize,
    /// Steps before a point is taken to be in the set (its cost)
    #[arg(long, default_value_t = 1000, value_parser = max_iter)]
    max_iter: u32,
    /// Worker processes (or threads with --threads) [default: all CPUs]
    #[arg(long, value_parser = workers)]
    workers: Option<u16>,
    /// Rows per task in the second run (Pool.imap's chunksize)
    #[arg(long, default_value_t = 4, value_parser = size)]
    rows_per_task: usize,
    /// Use threads instead of processes
    #[arg(long)]
    threads: bool,
    /// Write the picture to this PNG file
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Run as a worker of process PARENT: answer `START BUSY PIXELS` to each `START END` on stdin
    #[arg(long, hide = true, value_name = "PARENT")]
    worker: Option<u32>,
}

/// The flags' whole numbers, each in its range (`number` is in procs.rs).
fn size(s: &str) -> Result<usize, String> {
    number(s, 1..=10_000)
}

fn max_iter(s: &str) -> Result<u32, String> {
    number(s, 1..=1_000_000)
}

fn workers(s: &str) -> Result<u16, String> {
    number(s, 1..=256)
}

/// The picture's size, and how long a point may take.
struct Grid {
    width: usize,
    height: usize,
    max_iter: u32,
}

impl Grid {
    fn of(args: &Args) -> Grid {
        Grid { width: args.width, height: args.height, max_iter: args.max_iter }
    }
}

/// A parallel run's picture, how long each worker was busy, and which
/// worker made each row.
struct Rendered {
    image: Vec<u8>,
    busy: Vec<f64>,
    worker_of_row: Vec<usize>,
}

impl Rendered {
    fn new(grid: &Grid, workers: usize) -> Rendered {
        let image = vec![0; grid.width * grid.height];
        Rendered { image, busy: vec![0.0; workers], worker_of_row: vec![0; grid.height] }
    }

    /// Worker `i` made `rows` in `busy` seconds.
    fn add(&mut self, i: usize, rows: Range<usize>, pixels: &[u8], busy: f64, grid: &Grid) {
        self.image[rows.start * grid.width..rows.end * grid.width].copy_from_slice(pixels);
        self.worker_of_row[rows].fill(i);
        self.busy[i] += busy;
    }
}

/// A pool of threads: thread i starts with task i, then each takes the next
/// task left until none is. With one task per thread, that is the blocks run.
fn render_in_threads(tasks: &[Range<usize>], workers: usize, grid: &Grid) -> Result<Rendered> {
    let next = AtomicUsize::new(workers);
    let mut rendered = Rendered::new(grid, workers);
    thread::scope(|s| -> Result<()> {
        let mut handles = Vec::new();
        for i in 0..workers {
            let next = &next;
            let handle = thread::Builder::new().spawn_scoped(s, move || {
                let mut done = Vec::new(); // (rows, pixels, seconds)
                let mut task = i;
                while let Some(rows) = tasks.get(task) {
                    let start = timing::now();
                    let pixels = render_rows(rows.clone(), grid);
                    done.push((rows.clone(), pixels, timing::since(start)));
                    task = next.fetch_add(1, Relaxed);
                }
                done
            });
            handles.push(handle.context("cannot start a thread")?);
        }
        for (i, handle) in handles.into_iter().enumerate() {
            for (rows, pixels, busy) in handle.join().expect("render_rows cannot panic") {
                rendered.add(i, rows, &pixels, busy, grid);
            }
        }
        Ok(())
    })?;
    Ok(rendered)
}

/// A pool of worker processes: each gets a task, and the next one as soon
/// as it has answered (`pool.imap`). With one task per worker, that is the
/// blocks run.
fn render_in_processes(tasks: &[Range<usize>], workers: usize, args: &Args) -> Result<Rendered> {
    let grid = Grid::of(args);
    let mut procs = Procs::new();
    for _ in 0..workers.min(tasks.len()) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?; // it owes an answer for each task it is given
    }
    let mut todo = tasks.iter();
    let mut given = Vec::new(); // the rows each worker is working on
    for i in 0..procs.children.len() {
        given.push(give(&mut procs, i, todo.next()));
    }
    let mut rendered = Rendered::new(&grid, workers);
    for _ in tasks {
        let (i, answer) = procs.next_line()?; // whichever worker answers first
        let rows = given[i].clone().expect("next_line returns only answers owed");
        let (busy, pixels) = parse_answer(&answer, &rows, grid.width)
            .with_context(|| format!("worker {i} answered {answer:.40?}... to rows {rows:?}"))?;
        rendered.add(i, rows, &pixels, busy, &grid);
        given[i] = give(&mut procs, i, todo.next());
    }
    // Closing their stdin tells the workers to exit.
    for worker in &mut procs.children {
        drop(worker.stdin.take());
    }
    procs.join()?;
    Ok(rendered)
}

/// Sends worker `i` its next task, `START END`, if one is left, and says which.
fn give(procs: &mut Procs, i: usize, rows: Option<&Range<usize>>) -> Option<Range<usize>> {
    let rows = rows?;
    procs.tell(i, &format!("{} {}", rows.start, rows.end));
    Some(rows.clone())
}

/// A worker's answer, `START BUSY PIXELS` (the pixels in hexadecimal), for `rows`.
fn parse_answer(answer: &str, rows: &Range<usize>, width: usize) -> Option<(f64, Vec<u8>)> {
    let mut words = answer.split(' ');
    let start: usize = words.next()?.parse().ok()?;
    let busy: f64 = words.next()?.parse().ok()?;
    let hex = words.next()?.as_bytes();
    if start != rows.start || hex.len() != 2 * rows.len() * width || words.next().is_some() {
        return None;
    }
    let digit = |d: u8| (d as char).to_digit(16);
    hex.chunks(2)
        .map(|two| u8::try_from(digit(two[0])? * 16 + digit(two[1])?).ok())
        .collect::<Option<_>>()
        .map(|p| (busy, p))
}

/// The worker side: for every `START END` on stdin, the rows' pixels, with
/// the seconds they took, until the parent closes it.
fn worker(parent: u32, args: &Args) -> Result<()> {
    procs::watch_parent(parent)?;
    let grid = Grid::of(args);
    let mut out = io::stdout();
    for line in io::stdin().lines() {
        let line = line.context("worker: cannot read a task")?;
        let rows = line
            .split_once(' ')
            .and_then(|(a, b)| Some(a.parse::<usize>().ok()?..b.parse::<usize>().ok()?))
            .filter(|rows| rows.start <= rows.end && rows.end <= grid.height)
            .with_context(|| format!("worker: {line:?} is not a task `START END` of rows"))?;
        let start = timing::now();
        let pixels = render_rows(rows.clone(), &grid);
        let busy = timing::since(start);
        let mut hex = String::with_capacity(2 * pixels.len());
        for p in pixels {
            hex.push(char::from_digit(u32::from(p >> 4), 16).expect("a digit"));
            hex.push(char::from_digit(u32::from(p & 15), 16).expect("a digit"));
        }
        writeln!(out, "{} {busy} {hex}", rows.start)?;
    }
    Ok(())
}

/// This same program, started again as a pool worker of this process (what
/// Python's `spawn` does): `--worker PARENT` tells `main` to run `worker`.
/// Its tasks go in through its stdin, its answers come back on its stdout,
/// and its stderr says why, if it fails: three pipes.
fn worker_command(args: &Args) -> Result<Command> {
    let exe = env::current_exe().context("cannot find this program to start a worker")?;
    let mut command = Command::new(exe);
    command
        .args(["--worker", &process::id().to_string()])
        .args(["--width", &args.width.to_string(), "--height", &args.height.to_string()])
        .args(["--max-iter", &args.max_iter.to_string()]);
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    procs::end_with_parent(&mut command); // see procs.rs
    Ok(command)
}

/// The picture as a PNG, each row tinted with the colour of the worker that
/// made it. A file that cannot be written whole is removed.
fn write_png(path: &Path, image: &[u8], worker_of_row: &[usize], grid: &Grid) -> Result<()> {
    const TINTS: [[u16; 3]; 6] = [
        [255, 170, 80],
        [90, 170, 255],
        [120, 230, 120],
        [240, 110, 200],
        [250, 230, 90],
        [150, 120, 255],
    ];
    let mut rgb = Vec::with_capacity(3 * image.len());
    for (row, pixels) in image.chunks(grid.width).enumerate() {
        let tint = TINTS[worker_of_row[row] % TINTS.len()];
        for &p in pixels {
            rgb.extend(tint.map(|t| u8::try_from(u16::from(p) * t / 255).expect("at most 255")));
        }
    }
    let write = || -> Result<()> {
        let file = File::create(path)?;
        let (width, height) = (u32::try_from(grid.width)?, u32::try_from(grid.height)?);
        let mut encoder = png::Encoder::new(BufWriter::new(file), width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&rgb)?;
        writer.finish()?;
        Ok(())
    };
    write().map_err(|err| {
        let _ = fs::remove_file(path);
        err.context(format!("cannot write {}", path.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRID: Grid = Grid { width: 37, height: 23, max_iter: 50 };

    #[test]
    fn escape_time_counts_the_steps_until_z_leaves_the_circle_of_radius_2() {
        assert_eq!(escape_time(0.0, 0.0, 50), 50); // 0 stays 0: in the set
        assert_eq!(escape_time(-1.0, 0.0, 50), 50); // 0, -1, 0, -1, ...
        assert_eq!(escape_time(1.0, 0.0, 50), 3); // 0, 1, 2, 5
        assert_eq!(escape_time(2.0, 0.0, 50), 2); // 0, 2, 6
        assert_eq!(escape_time(0.0, 1.0, 50), 50); // 0, i, -1+i, -i, -1+i, ...
    }

    #[test]
    fn rows_are_rendered_top_down_black_inside_the_set() {
        let whole = render_rows(0..GRID.height, &GRID);
        assert_eq!(whole.len(), GRID.width * GRID.height);
        let one_by_one: Vec<u8> =
            (0..GRID.height).flat_map(|r| render_rows(r..r + 1, &GRID)).collect();
        assert_eq!(whole, one_by_one);
        assert!(whole.contains(&0) && whole.iter().any(|&p| p > 200), "black and bright");
        // The top left corner, far from the set: one step, and it is out.
        let corner = render_rows(0..1, &Grid { width: 1000, height: 1000, max_iter: 50 })[0];
        assert_eq!(corner, 210); // 255 * (1 - ln 2 / ln 51), rounded
    }

    #[test]
    fn threads_render_the_sequential_image_whatever_the_tasks() {
        let image = render_rows(0..GRID.height, &GRID);
        for workers in [1, 2, 3, 8] {
            for step in [1, 4, 100] {
                let tasks: Vec<Range<usize>> = (0..GRID.height)
                    .step_by(step)
                    .map(|r| r..(r + step).min(GRID.height))
                    .collect();
                let run = render_in_threads(&tasks, workers, &GRID).unwrap();
                assert!(run.image == image, "{workers} threads, {step} rows a task");
                assert_eq!(run.busy.len(), workers);
                assert!(run.worker_of_row.iter().all(|&i| i < workers));
            }
        }
    }

    #[test]
    fn with_one_block_per_thread_thread_i_renders_block_i() {
        // Thread i starts with task i: a thread that started early must not
        // take a second block, or the blocks run would not be equal blocks.
        let blocks = [0..5, 5..6, 6..23];
        let expected: Vec<usize> =
            blocks.iter().enumerate().flat_map(|(i, b)| b.clone().map(move |_| i)).collect();
        for _ in 0..20 {
            let run = render_in_threads(&blocks, 3, &GRID).unwrap();
            assert_eq!(run.worker_of_row, expected);
        }
    }

    #[test]
    fn an_answer_must_be_the_rows_asked_for_in_hexadecimal() {
        assert_eq!(parse_answer("2 0.5 00ff7a", &(2..3), 3), Some((0.5, vec![0, 255, 122])));
        assert_eq!(parse_answer("1 0.5 00ff7a", &(2..3), 3), None, "other rows");
        assert_eq!(parse_answer("2 0.5 00ff", &(2..3), 3), None, "too short");
        assert_eq!(parse_answer("2 0.5 00ff7g", &(2..3), 3), None, "not hexadecimal");
        assert_eq!(parse_answer("2 x 00ff7a", &(2..3), 3), None, "no time");
        assert_eq!(parse_answer("2 0.5 00ff7a 1", &(2..3), 3), None, "more");
    }

    #[test]
    fn the_lesson_says_only_what_the_numbers_show() {
        let busy = |busy: &[f64]| Rendered {
            image: Vec::new(),
            busy: busy.to_vec(),
            worker_of_row: Vec::new(),
        };
        let (even, uneven) = (busy(&[0.5, 0.5]), busy(&[0.8, 0.2]));
        assert!(lesson(&busy(&[1.0]), 1.0, &busy(&[1.0]), 1.0).starts_with("With one worker"));
        assert!(lesson(&uneven, 0.8, &even, 0.5).starts_with("Equal blocks are not equal work"));
        assert!(lesson(&even, 0.5, &even, 0.5).starts_with("The blocks happened to cost"));
        // No faster, or uneven too: the workers did not run side by side.
        assert!(lesson(&uneven, 1.0, &even, 1.0).starts_with("The blocks' work was uneven"));
        assert!(lesson(&uneven, 1.0, &uneven, 0.5).starts_with("The blocks' work was uneven"));
    }

    #[test]
    fn the_png_has_the_pictures_size_and_a_failed_write_leaves_no_file() {
        let dir = std::env::temp_dir().join(format!("mandelbrot-test-{}", process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("m.png");
        let image = render_rows(0..GRID.height, &GRID);
        write_png(&path, &image, &[0; GRID.height], &GRID).unwrap();
        {
            // Read back, and closed before the folder is removed (Windows).
            let decoder = png::Decoder::new(io::BufReader::new(File::open(&path).unwrap()));
            let info = decoder.read_info().unwrap();
            assert_eq!((info.info().width, info.info().height), (37, 23));
        }
        let missing = dir.join("no such folder").join("m.png");
        let err = write_png(&missing, &image, &[0; GRID.height], &GRID).unwrap_err();
        assert!(format!("{err:#}").starts_with("cannot write "), "{err:#}");
        assert!(!missing.exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
