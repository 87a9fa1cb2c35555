//! Measuring, not the lesson: a reader can skip this file. A parallel run
//! is timed and recorded (`timing`): each worker's busy time comes from its
//! timeline, the lesson's sentence is printed only when those numbers show
//! it, and the picture is written with each worker's rows in its colour.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use anyhow::Result;
use timing::{Doing, Timeline};

use crate::{Args, Grid, render_in_processes, render_in_threads};

/// One parallel run: how its tasks were cut, by how many workers of which
/// kind, its picture, its time, and who did what when.
pub struct Rendered {
    pub how: String,
    /// Rows per task: task k is rows k * step ..
    pub step: usize,
    pub kind: String,
    pub workers: usize,
    pub image: Vec<u8>,
    pub time: f64,
    pub timeline: Timeline,
}

/// The picture drawn by a pool of threads or processes, in tasks of `step` rows.
pub fn render(step: usize, how: &str, args: &Args, grid: &Grid) -> Result<Rendered> {
    let start = timing::record();
    let image = match args.threads {
        true => render_in_threads(step, grid),
        false => render_in_processes(step, args, grid)?,
    };
    let time = timing::since(start);
    let kind = crate::cli::plural(grid.workers, if args.threads { "thread" } else { "process" });
    let timeline = timing::finish(&format!("{how}, {kind}"));
    let (how, workers) = (how.to_string(), grid.workers);
    Ok(Rendered { how, step, kind, workers, image, time, timeline })
}

impl Rendered {
    /// How long each worker spent computing (0 for one that did not).
    pub fn busy(&self) -> Vec<f64> {
        let mut busy = self.timeline.busy();
        busy.resize(self.workers.max(busy.len()), 0.0);
        busy
    }

    /// The run's three lines: its time, its speedup over `sequential`, and
    /// each worker's busy time.
    pub fn report(&self, out: &mut impl Write, sequential: f64) -> io::Result<()> {
        writeln!(out, "Parallel time ({}): {:.2} s", self.how, self.time)?;
        writeln!(out, "Speedup: {:.2}x with {}", sequential / self.time, self.kind)?;
        let busy: Vec<String> = self.busy().iter().map(|s| format!("{s:.2} s")).collect();
        writeln!(out, "Busy: {}", busy.join(", "))
    }
}

/// What the two runs showed, in one sentence: only what their numbers say.
/// A run is uneven when its busiest worker was busy over 1.25x the mean.
pub fn lesson(blocks: &Rendered, rows: &Rendered) -> String {
    let busiest = |run: &Rendered| run.busy().into_iter().fold(0.0, f64::max);
    let mean = |run: &Rendered| run.busy().iter().sum::<f64>() / run.workers as f64;
    let uneven = |run: &Rendered| busiest(run) > 1.25 * mean(run);
    if blocks.workers == 1 {
        "With one worker there is nothing to balance: try --workers 2 or more.".to_string()
    } else if uneven(blocks) && !uneven(rows) && rows.time < 0.9 * blocks.time {
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

/// The two runs' timelines, one after the other (and into `svg`).
pub fn timelines(
    out: &mut impl Write,
    blocks: &Rendered,
    rows: &Rendered,
    svg: Option<&Path>,
) -> Result<()> {
    blocks.timeline.print(out, None)?;
    rows.timeline.print(out, svg)?;
    Ok(())
}

/// Each worker's colour in the picture, and its name.
const TINTS: [([u16; 3], &str); 6] = [
    ([255, 170, 80], "orange"),
    ([90, 170, 255], "blue"),
    ([120, 230, 120], "green"),
    ([240, 110, 200], "pink"),
    ([250, 230, 90], "yellow"),
    ([150, 120, 255], "violet"),
];

/// The picture as a PNG in `path` if there is one, each row tinted with the
/// colour of the worker that drew it in `run` (as its timeline says), and
/// the line that says where it went and which colour is whose. A file that
/// cannot be written whole is removed.
pub fn write_png(
    out: &mut impl Write,
    path: Option<&Path>,
    image: &[u8],
    run: &Rendered,
    grid: &Grid,
) -> Result<()> {
    let Some(path) = path else {
        writeln!(out, "Image: not written (--out mandelbrot.png writes it)")?;
        return Ok(());
    };
    let mut worker_of_row = vec![0; grid.height];
    for (worker, (_, spans)) in run.timeline.workers.iter().enumerate() {
        for span in spans.iter().filter(|s| s.doing == Doing::Computing) {
            let start = (span.task.unwrap_or(0) * run.step).min(grid.height);
            worker_of_row[start..(start + run.step).min(grid.height)].fill(worker);
        }
    }
    let mut rgb = Vec::with_capacity(3 * image.len());
    for (row, pixels) in image.chunks(grid.width).enumerate() {
        let (tint, _) = TINTS[worker_of_row[row] % TINTS.len()];
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
    })?;
    let workers = run.timeline.workers.iter().enumerate();
    let names: Vec<_> =
        workers.map(|(i, (name, _))| format!("{name} {}", TINTS[i % TINTS.len()].1)).collect();
    let (path, colours) = (path.display(), names.join(", "));
    writeln!(out, "Image: {path} (each worker's block of rows in its colour: {colours})")?;
    Ok(())
}
