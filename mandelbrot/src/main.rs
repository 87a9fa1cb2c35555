//! `mandelB.py` in Rust: the lecture's folder lists it, but its code was not
//! shown. This is the lesson a parallel Mandelbrot set teaches: load
//! balance. A point inside the set costs MAX_ITER steps, one far outside a
//! few, so equal blocks of rows are not equal work, and a run lasts as long
//! as its busiest worker; rows handed out a few at a time to whichever
//! worker is free (`pool.imap(f, rows, chunksize=4)`) keep all busy. On 2 cores:
//!
//! ```text
//! Sequential time: 0.53 s
//! Parallel time (blocks of rows): 0.40 s
//! Speedup: 1.31x with 2 processes
//! Busy: 0.14 s, 0.39 s
//! Parallel time (4 rows at a time): 0.28 s
//! Speedup: 1.91x with 2 processes
//! Busy: 0.27 s, 0.25 s
//! ```
//!
//! `--threads` runs both with threads (docs/lessons.md, "mandelbrot").

mod cli;
mod procs;
mod runs;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::{self, Command, ExitCode, Stdio};
use std::{num::NonZero, sync::Mutex, thread};

use anyhow::{Context, Result, ensure};
use clap::Parser;
use procs::Procs;

fn main() -> ExitCode {
    cli::end_on_panic();
    let args = Args::parse();
    cli::exit(if let Some(parent) = args.worker { worker(parent, &args) } else { run(&args) })
}

/// The script's main block: the picture drawn by one thread, then twice in parallel.
fn run(args: &Args) -> Result<()> {
    let cpus = thread::available_parallelism().map_or(1, NonZero::get);
    let workers = args.workers.map_or(cpus, usize::from);
    let grid = Grid { width: args.width, height: args.height, max_iter: args.max_iter, workers };
    let mut out = io::stdout();

    // Sequential
    let start = timing::now();
    let mut image = vec![0; grid.width * grid.height];
    render_rows(0..grid.height, &grid, &mut image);
    let time = timing::since(start);
    writeln!(out, "Sequential time: {time:.2} s")?;

    // Parallel: the rows in equal blocks, one per worker; then a few at a time.
    let blocks = runs::render(grid.height.div_ceil(workers), "blocks of rows", args, &grid)?;
    blocks.report(&mut out, time)?;
    let step = args.rows_per_task;
    let rows = runs::render(step, &format!("{step} rows at a time"), args, &grid)?;
    rows.report(&mut out, time)?;

    let same = blocks.image == image && rows.image == image;
    writeln!(out, "Images are the same: {same}")?;
    ensure!(same, "a parallel image differs from the sequential one");
    writeln!(out, "{}", runs::lesson(&blocks, &rows))?;
    runs::write_png(&mut out, args.out.as_deref(), &image, &blocks, &grid)?; // --out: the picture
    runs::timelines(&mut out, &blocks, &rows, args.timeline.svg()) // who drew which rows when
}

/// The part of the plane drawn: all of the set above the real axis, less of
/// it below, so that equal blocks of rows cost unequal work.
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

/// The work of one task: `rows` of the picture into `pixels`, a grey level
/// each, black inside the set and the brighter the sooner a point escapes.
fn render_rows(rows: std::ops::Range<usize>, grid: &Grid, pixels: &mut [u8]) {
    let _timeline = timing::computing().task(rows.start).size(rows.len());
    for (row, line) in rows.zip(pixels.chunks_mut(grid.width)) {
        let c_im = TOP - (row as f64 + 0.5) * (TOP - BOTTOM) / grid.height as f64;
        for (column, pixel) in line.iter_mut().enumerate() {
            let c_re = LEFT + (column as f64 + 0.5) * (RIGHT - LEFT) / grid.width as f64;
            let steps = escape_time(c_re, c_im, grid.max_iter);
            // On a log scale: most points escape within a few steps.
            let dark = f64::from(steps).ln_1p() / f64::from(grid.max_iter).ln_1p();
            #[expect(clippy::cast_possible_truncation, reason = "0 <= dark <= 1")]
            let grey = (255.0 * (1.0 - dark)).round() as u8;
            *pixel = grey;
        }
    }
}

/// A pool of threads over tasks of `step` rows: thread i starts with task i,
/// then each takes the next task left from one shared queue, and draws its
/// rows straight into their place in the image.
fn render_in_threads(step: usize, grid: &Grid) -> Vec<u8> {
    let mut image = vec![0; grid.width * grid.height];
    let mut tasks = image.chunks_mut(step * grid.width).enumerate(); // task k: rows k*step..
    let first: Vec<_> = tasks.by_ref().take(grid.workers).collect();
    let queue = Mutex::new(tasks); // the tasks left, for whichever thread is free
    let next = || queue.lock().expect("no thread panics holding it").next();
    thread::scope(|s| {
        for task in first {
            s.spawn(move || {
                let mut task = Some(task);
                while let Some((k, pixels)) = task {
                    let rows = k * step..k * step + pixels.len() / grid.width;
                    timing::computing().task(k).then(|| render_rows(rows, grid, pixels));
                    task = next();
                }
            });
        }
    });
    image
}

/// A pool of worker processes over tasks of `step` rows: each starts with a
/// task, `K STEP`, and gets the next one left as soon as it has answered.
fn render_in_processes(step: usize, args: &Args, grid: &Grid) -> Result<Vec<u8>> {
    let mut image = vec![0; grid.width * grid.height];
    let mut places: Vec<&mut [u8]> = image.chunks_mut(step * grid.width).collect();
    let mut procs = Procs::new();
    for _ in 0..grid.workers.min(places.len()) {
        let worker = worker_command(args)?.spawn().context("cannot start a worker")?;
        procs.watch(worker, 0)?; // it owes an answer for each task it is given
    }
    let mut tasks = (0..places.len()).map(|k| (k, step));
    for i in 0..procs.children.len() {
        procs.give(i, tasks.next());
    }
    for _ in 0..places.len() {
        let (i, k, pixels) = procs.next_answer::<String>()?; // `K PIXELS`, in hexadecimal
        let drawn = hex::decode_to_slice(pixels, places[k]);
        drawn.with_context(|| format!("worker {i} answered task {k} with the wrong pixels"))?;
        procs.give(i, tasks.next());
    }
    procs.close()?; // closing their stdin tells the workers to exit
    Ok(image)
}

/// The worker side: `K PIXELS` (in hexadecimal) to every task `K STEP` on stdin.
fn worker(parent: u32, args: &Args) -> Result<()> {
    procs::watch_parent(parent)?;
    let grid = Grid { width: args.width, height: args.height, max_iter: args.max_iter, workers: 1 };
    procs::answer_tasks(|k, step: usize| {
        let start = k.checked_mul(step).filter(|&start| start < grid.height && step > 0)?;
        let rows = start..(start + step).min(grid.height);
        let mut pixels = vec![0; rows.len() * grid.width];
        render_rows(rows, &grid, &mut pixels);
        Some(hex::encode(pixels))
    })
}

/// This same program, started again as a worker (Python's `spawn`): tasks in
/// on stdin, answers out on stdout, failures on stderr; `main` runs `worker`.
fn worker_command(args: &Args) -> Result<Command> {
    let exe = std::env::current_exe().context("cannot find this program to start a worker")?;
    let mut command = Command::new(exe);
    command.args(["--worker", &process::id().to_string()]);
    command.args(["--width", &args.width.to_string(), "--height", &args.height.to_string()]);
    command.args(["--max-iter", &args.max_iter.to_string()]);
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    procs::end_with_parent(&mut command); // see procs.rs
    Ok(command)
}

/// The Mandelbrot set in worker processes or threads (mandelB.py).
#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// Pixels across
    #[arg(long, default_value_t = 1200, value_parser = cli::pixels)]
    width: usize,
    /// Pixels down (rows)
    #[arg(long, default_value_t = 800, value_parser = cli::pixels)]
    height: usize,
    /// Steps before a point is taken to be in the set (its cost)
    #[arg(long, default_value_t = 1000, value_parser = cli::max_iter)]
    max_iter: u32,
    /// Worker processes (or threads with --threads) [default: all CPUs]
    #[arg(long, value_parser = cli::workers)]
    workers: Option<u16>,
    /// Rows per task in the second run (Pool.imap's chunksize)
    #[arg(long, default_value_t = 4, value_parser = cli::pixels)]
    rows_per_task: usize,
    /// Use threads instead of processes
    #[arg(long)]
    threads: bool,
    /// Write the picture to this PNG file, each worker's rows in its colour
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    timeline: cli::Timeline,
    /// Run as a worker of process PARENT: answer `K PIXELS` to each task `K STEP` on stdin
    #[arg(long, hide = true, value_name = "PARENT")]
    worker: Option<u32>,
}

/// The picture's size, how long a point may take, and how many draw it.
pub struct Grid {
    width: usize,
    height: usize,
    max_iter: u32,
    workers: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::MutexGuard;

    const GRID: Grid = Grid { width: 37, height: 23, max_iter: 50, workers: 1 };
    use runs::Rendered;

    /// The tests that draw take turns: one of them reads the timeline, which
    /// would see the others' threads too.
    fn one_at_a_time() -> MutexGuard<'static, ()> {
        static TURN: Mutex<()> = Mutex::new(());
        TURN.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn render(rows: std::ops::Range<usize>, grid: &Grid) -> Vec<u8> {
        let mut pixels = vec![0; rows.len() * grid.width];
        render_rows(rows, grid, &mut pixels);
        pixels
    }

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
        let _turn = one_at_a_time();
        let whole = render(0..GRID.height, &GRID);
        assert_eq!(whole.len(), GRID.width * GRID.height);
        let one_by_one: Vec<u8> = (0..GRID.height).flat_map(|r| render(r..r + 1, &GRID)).collect();
        assert_eq!(whole, one_by_one);
        assert!(whole.contains(&0) && whole.iter().any(|&p| p > 200), "black and bright");
        // The top left corner, far from the set: one step, and it is out.
        let big = Grid { width: 1000, height: 1000, max_iter: 50, workers: 1 };
        assert_eq!(render(0..1, &big)[0], 210); // 255 * (1 - ln 2 / ln 51), rounded
    }

    #[test]
    fn threads_render_the_sequential_image_whatever_the_tasks() {
        testkit::judged("render_in_threads", || {
            let _turn = one_at_a_time();
            let image = render(0..GRID.height, &GRID);
            for workers in [1, 2, 3, 8] {
                for step in [1, 4, 100] {
                    let grid = Grid { workers, ..GRID };
                    if render_in_threads(step, &grid) != image {
                        let how = format!("{workers} threads, {step} rows a task");
                        return Err(format!("render_in_threads: not the image, with {how}"));
                    }
                }
            }
            Ok(())
        });
    }

    #[test]
    fn with_one_block_per_thread_each_thread_draws_one_block() {
        // A thread that started early must not take a second block, or the
        // blocks run would not be equal blocks.
        testkit::judged("render_in_threads", || {
            let _turn = one_at_a_time();
            let grid = Grid { workers: 3, ..GRID };
            for _ in 0..20 {
                timing::record();
                render_in_threads(8, &grid); // rows 0..8, 8..16, 16..23
                let timeline = timing::finish("blocks");
                let mut drawn: Vec<usize> = Vec::new(); // how many rows each drew
                for (name, spans) in &timeline.workers {
                    if spans.len() != 1 {
                        let what = format!("{name} drew {} tasks", spans.len());
                        return Err(format!("render_in_threads, one task a thread: {what}"));
                    }
                    drawn.push(spans[0].size);
                }
                drawn.sort();
                if drawn != [7, 8, 8] {
                    return Err(format!(
                        "render_in_threads: blocks of {drawn:?} rows, not [7, 8, 8]"
                    ));
                }
            }
            Ok(())
        });
    }

    /// A run whose workers were busy for `busy` seconds, each in one span.
    fn run(busy: &[f64], time: f64) -> Rendered {
        let span = |b: f64| timing::Span {
            doing: timing::Doing::Computing,
            from: 0.0,
            to: b,
            task: None,
            size: 0,
        };
        let workers = busy.iter().enumerate().map(|(i, &b)| (format!("worker {i}"), vec![span(b)]));
        let timeline =
            timing::Timeline { title: String::new(), wall: time, workers: workers.collect() };
        let workers = busy.len();
        let (how, kind, image) = (String::new(), String::new(), Vec::new());
        Rendered { how, step: 1, kind, workers, image, time, timeline }
    }

    #[test]
    fn the_lesson_says_only_what_the_numbers_show() {
        let (even, uneven) = (run(&[0.5, 0.5], 0.5), run(&[0.8, 0.2], 0.8));
        let lesson = runs::lesson;
        assert!(lesson(&run(&[1.0], 1.0), &run(&[1.0], 1.0)).starts_with("With one worker"));
        assert!(lesson(&uneven, &even).starts_with("Equal blocks are not equal work"));
        assert!(lesson(&even, &even).starts_with("The blocks happened to cost"));
        // No faster, or uneven too: the workers did not run side by side.
        assert!(lesson(&uneven, &run(&[0.5, 0.5], 0.8)).starts_with("The blocks' work was uneven"));
        assert!(lesson(&uneven, &run(&[0.4, 0.1], 0.5)).starts_with("The blocks' work was uneven"));
    }

    #[test]
    fn the_png_has_the_pictures_size_and_a_failed_write_leaves_no_file() {
        let dir = std::env::temp_dir().join(format!("mandelbrot-test-{}", process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("m.png");
        let image = {
            let _turn = one_at_a_time();
            render(0..GRID.height, &GRID)
        };
        let blocks = run(&[1.0], 1.0);
        let mut said = Vec::new();
        runs::write_png(&mut said, Some(&path), &image, &blocks, &GRID).unwrap();
        assert!(String::from_utf8(said).unwrap().ends_with("its colour: worker 0 orange)\n"));
        {
            // Read back, and closed before the folder is removed (Windows).
            let file = std::fs::File::open(&path).unwrap();
            let decoder = png::Decoder::new(io::BufReader::new(file));
            let info = decoder.read_info().unwrap();
            assert_eq!((info.info().width, info.info().height), (37, 23));
        }
        let missing = dir.join("no such folder").join("m.png");
        let err = runs::write_png(&mut Vec::new(), Some(&missing), &image, &blocks, &GRID);
        let err = err.unwrap_err();
        assert!(format!("{err:#}").starts_with("cannot write "), "{err:#}");
        assert!(!missing.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
