//! Reading a finished run's output and asserting on it: portable, like
//! everything but the process helpers of `linux.rs`.

use std::path::{Path, PathBuf};
use std::process::Output;

/// The text of a line that starts with `prefix`, up to the next `,` or the
/// end of the line: `value(out, "Parallel sum: ")` gives `"2500190079"`.
pub fn value<'a>(stdout: &'a str, prefix: &str) -> &'a str {
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in:\n{stdout}"));
    line.split(',').next().expect("split gives one piece at least").trim()
}

/// The first `lines` lines' (label, count, total), for the lessons that
/// print `label: count of total, time = ...` (race_threads, false_sharing,
/// reorder's `... of 200000 rounds ...`).
pub fn counts(stdout: &str, lines: usize) -> Vec<(String, u64, u64)> {
    stdout
        .lines()
        .take(lines)
        .map(|line| {
            let (label, rest) = line.split_once(':').expect("label: count of total");
            let words: Vec<&str> = rest.split_whitespace().collect();
            assert_eq!(words[1], "of", "{line}");
            let total = words[2].trim_end_matches(',').parse().expect("total");
            (label.to_owned(), words[0].parse().expect("count"), total)
        })
        .collect()
}

/// The program's standard output and error as text, for assertions.
pub fn texts(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Asserts a bad command line was refused the way clap refuses: usage error
/// on stderr, exit code 2, nothing on stdout (so no work was started).
pub fn assert_refused(output: &Output, expected_in_message: &str) {
    let (stdout, stderr) = texts(output);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(stdout.is_empty(), "work started: {stdout}");
    assert!(stderr.starts_with("error:"), "{stderr}");
    assert!(stderr.contains(expected_in_message), "{stderr}");
}

/// Asserts the run failed with exactly one line on stderr, `error: ...`
/// containing `expected`, and exit code 1: never a panic.
pub fn assert_one_line_error(output: &Output, expected: &str) {
    let (_, stderr) = texts(output);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains(expected), "{stderr}");
}

/// Asserts the run ended because of a failed worker: exactly one line,
/// naming the worker and the cause, and exit code 1.
pub fn assert_worker_failed(output: &Output, cause: &str) {
    assert_one_line_error(output, cause);
    assert!(texts(output).1.starts_with("error: worker "));
}

/// Asserts that a run cut short by `| head` ended quietly: exit code 0 and
/// nothing on stderr, as `seq 10 | head -1` gives.
pub fn assert_quiet_end(output: &Output) {
    let (_, stderr) = texts(output);
    assert_eq!(stderr, "", "a run cut short by `| head` said something");
    assert!(output.status.success(), "{:?}", output.status);
}

/// A new, empty folder for one test under `root` (the test's
/// `env!("CARGO_TARGET_TMPDIR")`), removed and made again if it exists.
pub fn fresh_dir(root: &str, name: &str) -> PathBuf {
    let dir = Path::new(root).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the test folder can be made");
    dir
}

/// The names of the entries in `dir`: a run must leave it as empty as it was.
pub fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("the test folder exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

/// For an exercise's tests: asserts the run ended well, or fails naming
/// `function` when the run stopped at its `todo!` or failed otherwise.
pub fn assert_written(output: &Output, function: &str) {
    let (stdout, stderr) = texts(output);
    if let Some(left) = todo_left(&stderr) {
        panic!("{left} is still to write (its todo! is left)");
    }
    assert!(
        output.status.success(),
        "{function}: the run failed: {}\nIt printed:\n{stdout}",
        stderr.trim()
    );
}

/// The function whose `todo!` a program stopped at, from what it said:
/// `... not yet implemented: increment_locked: add 1 to ...`.
pub fn todo_left(said: &str) -> Option<String> {
    let after = said.split("not yet implemented").nth(1)?;
    // `increment_locked: add 1 ...`, or a method's, `SpinLock::lock: ...`.
    let name = after.trim_start_matches([':', ' ']).split(": ").next().unwrap_or("");
    let name = name.trim();
    let is_name =
        !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == ':');
    Some(if is_name { name.to_string() } else { "a function".to_string() })
}

/// What a run printed before its first timeline: the lecture's lines, and
/// the lesson's.
pub fn before_timeline(stdout: &str) -> &str {
    match stdout.find("\nTimeline (") {
        Some(at) => &stdout[..at + 1],
        None if stdout.starts_with("Timeline (") => "",
        None => stdout,
    }
}

/// A timeline as a run drew it.
#[derive(Debug)]
pub struct Drawn {
    /// What its first line says the run was (`2 processes`).
    pub title: String,
    /// Each row's name and bar, in order.
    pub rows: Vec<(String, String)>,
    /// All its lines.
    pub lines: Vec<String>,
}

/// Every timeline in what a run printed, each checked as it is drawn: a
/// title line, rows of one width (at most 16, then `... and N more
/// workers`), the time axis, the legend, every line within 80 columns.
pub fn timelines(stdout: &str) -> Vec<Drawn> {
    let mut drawn = Vec::new();
    let mut lines = stdout.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("Timeline (") else { continue };
        let title = rest.split("): ").next().expect("a title").to_string();
        assert!(rest.contains(" a column"), "{line}");
        let mut timeline = Drawn { title, rows: Vec::new(), lines: vec![line.to_string()] };
        while let Some(row) = lines.next_if(|l| l.contains(" |") && l.ends_with('|')) {
            let (name, bar) = row.split_once(" |").expect("a row");
            timeline.rows.push((name.trim().to_string(), bar.trim_end_matches('|').to_string()));
            timeline.lines.push(row.to_string());
        }
        timeline
            .lines
            .extend(lines.next_if(|l| l.trim_start().starts_with("... and ")).map(String::from));
        let axis = lines.next().expect("the time axis");
        assert!(axis.trim_start().starts_with("0 s") && axis.ends_with(" s"), "{axis}");
        let legend = lines.next().expect("the legend");
        assert!(legend.starts_with("Legend: ") && legend.contains("# computing"), "{legend}");
        timeline.lines.extend([axis.to_string(), legend.to_string()]);
        let more = |l: &&str| l.starts_with("        0-9 ") || l.starts_with("In all: ");
        while let Some(more) = lines.next_if(more) {
            timeline.lines.push(more.to_string());
        }
        for line in &timeline.lines {
            assert!(line.chars().count() <= 80, "over 80 columns: {line}");
        }
        let widths: Vec<usize> = timeline.rows.iter().map(|(_, bar)| bar.chars().count()).collect();
        assert!(widths.windows(2).all(|w| w[0] == w[1]), "{timeline:?}");
        assert!(timeline.rows.len() <= 16, "{timeline:?}");
        drawn.push(timeline);
    }
    drawn
}

/// One span of a recorded timeline (`TIMING_RECORD`): who, doing what, when
/// (seconds from the run's start), which task, how much work.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub worker: String,
    pub doing: String,
    pub from: f64,
    pub to: f64,
    pub task: Option<usize>,
    pub size: usize,
}

/// A timeline as the run recorded it in the file `TIMING_RECORD` named.
#[derive(Clone, Debug, Default)]
pub struct Recorded {
    pub title: String,
    /// The run's length, in seconds: every span lies within it.
    pub wall: f64,
    /// Every worker, in order, even one that did nothing.
    pub workers: Vec<String>,
    pub spans: Vec<Span>,
}

impl Recorded {
    /// The spans of `worker` doing `doing`.
    pub fn of(&self, worker: &str, doing: &str) -> Vec<&Span> {
        self.spans.iter().filter(|s| s.worker == worker && s.doing == doing).collect()
    }
}

/// The timelines in a record file's `text`, in the order they ended.
pub fn recorded(text: &str) -> Vec<Recorded> {
    let mut all: Vec<Recorded> = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields[..] {
            ["timeline", title, wall] => all.push(Recorded {
                title: title.to_string(),
                wall: wall.parse().expect("a wall time"),
                ..Recorded::default()
            }),
            ["worker", name] => all.last_mut().expect("a timeline").workers.push(name.to_string()),
            ["span", worker, doing, from, to, task, size] => {
                all.last_mut().expect("a timeline").spans.push(Span {
                    worker: worker.to_string(),
                    doing: doing.to_string(),
                    from: from.parse().expect("a time"),
                    to: to.parse().expect("a time"),
                    task: task.parse().ok(),
                    size: size.parse().expect("a size"),
                })
            }
            _ => panic!("not a line of a record: {line:?}"),
        }
    }
    all
}

/// Asserts what every recorded timeline must be: each span within the run,
/// from before to, on a worker the timeline names, and no two spans of one
/// worker at once.
pub fn assert_well_recorded(timelines: &[Recorded]) {
    for t in timelines {
        for s in &t.spans {
            assert!(
                0.0 <= s.from && s.from <= s.to && s.to <= t.wall + 1e-9,
                "{s:?} in {}",
                t.wall
            );
            assert!(t.workers.contains(&s.worker), "{s:?}");
        }
        for worker in &t.workers {
            let mut spans: Vec<&Span> = t.spans.iter().filter(|s| &s.worker == worker).collect();
            spans.sort_by(|a, b| a.from.total_cmp(&b.from));
            for pair in spans.windows(2) {
                assert!(
                    pair[0].to <= pair[1].from + 1e-9,
                    "{worker} did two things at once: {pair:?}"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_reads_up_to_the_comma() {
        let out = "Sequential sum: 12, time = 0.1 s\nCPUs: 2\n";
        assert_eq!(value(out, "Sequential sum: "), "12");
        assert_eq!(value(out, "CPUs: "), "2");
    }
}
