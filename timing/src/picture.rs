//! The timeline drawn: as text after a run's lines (`print`), as an SVG
//! picture for a report or a slide (`--timeline FILE.svg`), and, for tests,
//! as a plain record in the file that `TIMING_RECORD` names.

use std::fmt::Write as _;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use crate::record::{Doing, Span, Timeline};

/// Columns of a timeline's bars: a row is `worker 12 |` and 66 columns and
/// `|`, 78 characters, within a terminal's or a projector's 80.
const COLUMNS: usize = 66;

/// Rows drawn at most; the rest are counted.
const ROWS: usize = 16;

/// The environment variable that names a file for a plain record of every
/// timeline (for tests, which judge what the workers did by it).
pub const RECORD_FILE: &str = "TIMING_RECORD";

/// Every timeline finished so far, for the SVG picture of the whole run.
static FINISHED: Mutex<Vec<Timeline>> = Mutex::new(Vec::new());

/// Keeps a finished timeline for the picture, and adds it to the record
/// file if one is named. The record is for tests: a failed write is ignored
/// here, and shows there as a missing record.
pub(crate) fn keep(timeline: &Timeline) {
    FINISHED.lock().unwrap_or_else(PoisonError::into_inner).push(timeline.clone());
    if let Some(path) = std::env::var_os(RECORD_FILE) {
        let file = OpenOptions::new().create(true).append(true).open(path);
        let _ = file.and_then(|mut file| file.write_all(plain(timeline).as_bytes()));
    }
}

/// A timeline as lines of text a test can read: `timeline TITLE WALL`, then
/// `span WORKER DOING FROM TO TASK SIZE` (tabs between; TASK `-` for none).
fn plain(timeline: &Timeline) -> String {
    let mut text = format!("timeline\t{}\t{}\n", timeline.title, timeline.wall);
    for (name, spans) in &timeline.workers {
        let _ = writeln!(text, "worker\t{name}");
        for s in spans {
            let task = s.task.map_or("-".to_string(), |t| t.to_string());
            let doing = s.doing.name();
            let _ =
                writeln!(text, "span\t{name}\t{doing}\t{}\t{}\t{task}\t{}", s.from, s.to, s.size);
        }
    }
    text
}

impl Timeline {
    /// Draws the timeline as text: one row per worker, one character per
    /// slice of the run's wall time, and a legend; and with `svg`, the
    /// timelines of the whole run so far as a picture in that file.
    pub fn print(&self, out: &mut impl Write, svg: Option<&Path>) -> io::Result<()> {
        let width = self.wall / COLUMNS as f64;
        let after = format!("): {:.3} s, {} a column", self.wall, duration(width));
        let room = 80 - "Timeline (".len() - after.chars().count();
        let title: String = self.title.chars().take(room).collect(); // within 80 columns
        writeln!(out, "Timeline ({title}{after}")?;
        let mut digits = false; // a task's digit drawn anywhere
        for (name, spans) in self.workers.iter().take(ROWS) {
            let bar: String = (0..COLUMNS).map(|c| mark(spans, c as f64 * width, width)).collect();
            digits |= bar.contains(|c: char| c.is_ascii_digit());
            writeln!(out, "{name:>9} |{bar}|")?;
        }
        if self.workers.len() > ROWS {
            writeln!(out, "{:11}... and {} more workers", "", self.workers.len() - ROWS)?;
        }
        let end = format!("{:.3} s", self.wall);
        writeln!(out, "{:11}0 s{end:>w$}", "", w = COLUMNS - 3)?;
        let legend: Vec<String> =
            Doing::ALL.iter().map(|d| format!("{} {}", d.mark(), d.name())).collect();
        writeln!(out, "Legend: {}  (blank) idle", legend.join("  "))?;
        if digits {
            writeln!(out, "        0-9 computing a task: the last digit of its number")?;
        }
        let mut spent = Vec::new();
        for doing in Doing::ALL {
            let spans = self.workers.iter().flat_map(|(_, spans)| spans);
            let time: f64 = spans.filter(|s| s.doing == doing).map(|s| s.to - s.from).sum();
            if time > 0.0 {
                spent.push(format!("{} {}", doing.name(), duration(time)));
            }
        }
        if !spent.is_empty() {
            writeln!(out, "In all: {}", spent.join(", "))?;
        }
        match svg {
            Some(path) => write_svg(path),
            None => Ok(()),
        }
    }
}

/// A column's character: what the worker did most between `from` and
/// `from + width`, if that filled a third of it or more; else blank, idle.
/// Computing a task that fills half the column or more shows as the task's
/// last digit, so that which worker did which task shows too.
fn mark(spans: &[Span], from: f64, width: f64) -> char {
    let to = from + width;
    let within = |s: &&Span| s.to > from && s.from < to;
    let time = |s: &Span| s.to.min(to) - s.from.max(from);
    let mut most: Option<(f64, Doing)> = None;
    for doing in Doing::ALL {
        let t = spans.iter().filter(within).filter(|s| s.doing == doing).map(time).sum();
        if most.is_none_or(|(m, _)| t > m) {
            most = Some((t, doing));
        }
    }
    match most {
        Some((t, Doing::Computing)) if t >= width / 3.0 && t > 0.0 => {
            let computing = spans.iter().filter(within).filter(|s| s.doing == Doing::Computing);
            let longest = computing.max_by(|a, b| time(a).total_cmp(&time(b)));
            let longest = longest.filter(|s| time(s) >= width / 2.0); // one task, most of the column
            let digit =
                longest.and_then(|s| char::from_digit(u32::try_from(s.task? % 10).ok()?, 10));
            digit.unwrap_or(Doing::Computing.mark())
        }
        Some((t, doing)) if t >= width / 3.0 && t > 0.0 => doing.mark(),
        _ => ' ',
    }
}

/// `1.2 ms`, `35 µs`, `0.15 s`: a time, readably.
fn duration(seconds: f64) -> String {
    match seconds {
        s if s >= 0.1 => format!("{s:.2} s"),
        s if s >= 0.000_1 => format!("{:.1} ms", s * 1e3),
        s => format!("{:.0} µs", s * 1e6),
    }
}

/// The colour of each kind of span in the picture.
fn colour(doing: Doing) -> &'static str {
    match doing {
        Doing::Starting => "#bbbbbb",
        Doing::Input => "#5b9bd5",
        Doing::Computing => "#ed7d31",
        Doing::Answering => "#70ad47",
        Doing::Waiting => "#ffd966",
    }
}

/// Writes every timeline finished so far as one SVG picture into `path`,
/// whole or not at all: into a file beside it first, then renamed.
fn write_svg(path: &Path) -> io::Result<()> {
    let timelines = FINISHED.lock().unwrap_or_else(PoisonError::into_inner).clone();
    let (left, width, row, gap) = (90.0, 600.0, 18.0, 50.0);
    let rows: usize = timelines.iter().map(|t| t.workers.len().min(ROWS) + 1).sum();
    let height = rows as f64 * row + timelines.len() as f64 * gap + 40.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" \
         font-family=\"monospace\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
        left + width + 20.0
    );
    let mut y = 20.0;
    for t in &timelines {
        let _ = writeln!(
            svg,
            "<text x=\"10\" y=\"{y}\">Timeline ({}): {:.3} s</text>",
            escape(&t.title),
            t.wall
        );
        y += 8.0;
        for (name, spans) in t.workers.iter().take(ROWS) {
            let _ = writeln!(svg, "<text x=\"10\" y=\"{}\">{}</text>", y + row - 5.0, escape(name));
            for s in spans {
                let x = left + s.from / t.wall.max(f64::MIN_POSITIVE) * width;
                let w = ((s.to - s.from) / t.wall.max(f64::MIN_POSITIVE) * width).max(0.5);
                let fill = colour(s.doing);
                let _ = writeln!(
                    svg,
                    "<rect x=\"{x:.2}\" y=\"{y}\" width=\"{w:.2}\" height=\"{}\" fill=\"{fill}\"/>",
                    row - 4.0
                );
            }
            y += row;
        }
        let _ = writeln!(svg, "<text x=\"{left}\" y=\"{}\">0 s</text>", y + 10.0);
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.3} s</text>",
            left + width,
            y + 10.0,
            t.wall
        );
        y += gap - 8.0;
    }
    for (i, doing) in Doing::ALL.into_iter().enumerate() {
        let x = left + i as f64 * 110.0;
        let _ = writeln!(
            svg,
            "<rect x=\"{x}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{}\"/>",
            colour(doing)
        );
        let _ =
            writeln!(svg, "<text x=\"{}\" y=\"{}\">{}</text>", x + 16.0, y + 10.0, doing.name());
    }
    svg += "</svg>\n";
    let part = path.with_extension("svg.part");
    let written = fs::write(&part, svg).and_then(|()| fs::rename(&part, path));
    written.map_err(|err| {
        let _ = fs::remove_file(&part);
        io::Error::other(format!("cannot write {}: {err}", path.display()))
    })
}

/// Text made safe for an SVG file.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
