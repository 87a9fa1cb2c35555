//! The report (`report.md`), every run (`runs.csv`), and the curves the
//! charts draw.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};

use super::chart::{Measured, Reference};
use super::parse::{Summary, Unit, summary};
use super::{Bound, Lesson, Measurement, Run, commands, runs_of};

pub fn write(m: &Measurement, out: &Path) -> Result<()> {
    let report = out.join("report.md");
    fs::write(&report, markdown(m))
        .with_context(|| format!("cannot write {}", report.display()))?;
    let csv = out.join("runs.csv");
    fs::write(&csv, csv_text(m)).with_context(|| format!("cannot write {}", csv.display()))
}

pub fn chart_title(lesson: &Lesson) -> String {
    match lesson.bound {
        Some(Bound::Lock) => format!("{}: the spin lock against the Mutex", lesson.name),
        _ => format!("{}: speedup against workers", lesson.name),
    }
}

fn markdown(m: &Measurement) -> String {
    let mut md = String::new();
    let cpus = m.machine.cpus;
    let _ = writeln!(md, "Made by `cargo xtask measure` on this machine:\n");
    let _ = writeln!(md, "| | |\n|---|---|");
    let _ = writeln!(md, "| CPU | {}, {cpus} CPUs |", m.machine.cpu);
    let _ = writeln!(md, "| memory | {} |", m.machine.memory);
    let _ = writeln!(md, "| system | {} |", m.machine.os);
    let _ = writeln!(
        md,
        "| Rust | {}, the lessons built by `cargo build` (the workspace's dev profile, as `cargo run`) |",
        m.machine.rustc
    );
    let python = m.python.as_deref().unwrap_or("not run");
    let _ = writeln!(md, "| Python | {python} |");
    let _ = writeln!(
        md,
        "\n{} runs of every command, taken in turn (each command once, then \
         each again), so that the machine's drift touches every row alike. \
         Medians, with the range of the runs in brackets; times in seconds; \
         a ratio of two commands is taken run by run, then its median.",
        m.runs
    );
    if !m.changed.is_empty() {
        let _ = writeln!(
            md,
            "\n**Sizes changed from the lecture's: {}.** These are not the \
             lecture's figures.",
            m.changed.join(", ")
        );
    }

    let _ = writeln!(md, "\n## This machine's ceilings\n");
    ceilings(m, &mut md);
    let _ = writeln!(md, "\n## Targets\n");
    targets(m, &mut md);
    let _ = writeln!(md, "\n## Every lesson with its defaults\n");
    for lesson in &m.lessons {
        defaults(m, lesson, &mut md);
    }
    let _ = writeln!(md, "\n## Speedup against workers\n");
    let _ = writeln!(
        md,
        "Each lesson with a parallel phase, with `--workers` {}. \
         The speedup is the run's own: its sequential time over its parallel \
         time. The grey line is the ideal (speedup = workers), the green one \
         what this machine allows: for the sums of memory, the memory \
         ceiling measured in the same run; for computing, one worker per \
         CPU; for squares' sleeping tasks, the rounds of tasks.\n",
        m.workers.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    );
    for lesson in m.lessons.iter().filter(|l| l.bound.is_some_and(|b| b != Bound::Staircase)) {
        sweep(m, lesson, &mut md);
    }
    for lesson in m.lessons.iter().filter(|l| l.bound == Some(Bound::Staircase)) {
        let _ = writeln!(
            md,
            "\n![{0}: the levels, a random chase]({0}.svg)\n\n`{0}`'s chase, \
             nanoseconds a load against the working set (the green lines: the \
             caches the system reports):\n\n| working set | ns a load |\n|---|---|",
            lesson.name
        );
        for (bytes, s) in staircase(m, lesson) {
            let _ = writeln!(md, "| {} | {} |", super::size_name(bytes), nanos_cell(s));
        }
    }
    md
}

fn ceilings(m: &Measurement, md: &mut String) {
    let mb = m.bytes as f64 / 1e6;
    let _ = writeln!(md, "| ceiling | time | rate |\n|---|---|---|");
    let one = ceiling_times(m, "memory sum", Some(1));
    for &w in &m.workers {
        let times = ceiling_times(m, "memory sum", Some(w));
        let Some(s) = summary(&times) else { continue };
        let mut rate = format!("{:.1} GB/s", m.bytes as f64 / s.median / 1e9);
        if w > 1 {
            let ratio = ratios(&one, &times);
            let _ = write!(rate, ", {} one thread", times_cell(ratio));
        }
        let threads = if w == 1 { "thread" } else { "threads" };
        let _ = writeln!(
            md,
            "| sum of {mb:.0} MB of i64 in memory, {w} {threads} | {} | {rate} |",
            seconds_cell(s)
        );
    }
    if let Some(s) = summary(&ceiling_times(m, "pipe", None)) {
        let _ = writeln!(
            md,
            "| {mb:.0} MB through a pipe to another process | {} | {:.2} GB/s, {:.1} ns per i64 |",
            seconds_cell(s),
            m.bytes as f64 / s.median / 1e9,
            s.median / (m.bytes / 8) as f64 * 1e9
        );
    }
    if let Some(s) = summary(&ceiling_times(m, "worker start", None)) {
        let _ = writeln!(
            md,
            "| one worker process started and ended (`heavy_sum --worker`, nothing to sum) | {} | |",
            seconds_cell(s)
        );
    }
}

/// The run-by-run ratios `top[i] / bottom[i]`, summarised.
fn ratios(top: &[f64], bottom: &[f64]) -> Option<Summary> {
    let each: Vec<f64> = top.iter().zip(bottom).map(|(t, b)| t / b).collect();
    summary(&each)
}

fn ceiling_times(m: &Measurement, label: &str, workers: Option<usize>) -> Vec<f64> {
    runs_of(m, "ceiling", label)
        .filter(|r| r.workers == workers)
        .filter_map(|r| r.get("time"))
        .collect()
}

fn values(m: &Measurement, phase: &str, label: &str, metric: &str) -> Vec<f64> {
    runs_of(m, phase, label).filter_map(|r| r.get(metric)).collect()
}

fn speedups<'a>(runs: impl Iterator<Item = &'a Run>) -> Vec<f64> {
    runs.filter_map(|r| r.speedup()).collect()
}

/// The memory ceiling at `w` threads, run by run: one thread's time over w's.
fn memory_ceiling(m: &Measurement, w: usize) -> Vec<f64> {
    let one = ceiling_times(m, "memory sum", Some(1));
    let many = ceiling_times(m, "memory sum", Some(w));
    one.iter().zip(&many).map(|(a, b)| a / b).collect()
}

struct Target {
    what: String,
    measured: String,
    met: Option<bool>,
}

fn targets(m: &Measurement, md: &mut String) {
    let cpus = m.machine.cpus;
    let mut all = Vec::new();
    let ceiling = memory_ceiling(m, cpus);
    for label in ["vec_add --threads", "vec_add_shm"] {
        let got = speedups(runs_of(m, "defaults", label));
        let share = ratios(&got, &ceiling);
        all.push(Target {
            what: format!("`{label}` reaches 0.9 of the memory ceiling with {cpus} workers"),
            measured: match share {
                Some(s) => format!(
                    "{} of {} = {:.2} [{:.2}–{:.2}]",
                    times_cell(summary(&got)),
                    times_cell(summary(&ceiling)),
                    s.median,
                    s.min,
                    s.max
                ),
                None => "not measured".to_string(),
            },
            met: share.map(|s| s.median >= 0.9),
        });
    }
    let heavy = summary(&speedups(runs_of(m, "defaults", "heavy_sum --threads")));
    all.push(Target {
        what: format!("`heavy_sum --threads` reaches 0.9 x {cpus} CPUs"),
        measured: format!("{} (0.9 x {cpus} = {:.2})", times_cell(heavy), 0.9 * cpus as f64),
        met: heavy.map(|s| s.median >= 0.9 * cpus as f64),
    });

    for name in super::RELEASE {
        let label = format!("{name} --threads");
        let dev = values(m, "defaults", &label, "whole run");
        let release = values(m, "defaults", &format!("{label} (--release)"), "whole run");
        let slower = ratios(&dev, &release);
        all.push(Target {
            what: format!(
                "`{label}` as built by plain `cargo run` takes at most 1.1x the whole run of its `--release` build"
            ),
            measured: times_cell(slower),
            met: slower.map(|s| s.median <= 1.1),
        });
    }

    let python_whole = |lesson: &Lesson| {
        let label = python_label(m, lesson)?;
        Some(values(m, "defaults", &label, "whole run"))
    };
    let locked = m.lessons.iter().find(|l| l.name == "locked_counter");
    if let Some((locked, python)) = locked.and_then(|&l| Some((l, python_whole(l)?))) {
        for (metric, what) in [("get_lock", "locked run"), ("whole run", "whole run")] {
            let rust = values(m, "defaults", locked.name, metric);
            let faster = ratios(&python, &rust);
            all.push(Target {
                what: format!(
                    "`locked_counter`'s {what} 5x faster than `{}`'s whole run",
                    locked.script
                ),
                measured: times_cell(faster),
                met: faster.map(|s| s.median >= 5.0),
            });
        }
    }
    for lesson in m.lessons.iter().filter(|l| !l.script.is_empty()) {
        let Some(python) = python_whole(lesson) else {
            all.push(Target {
                what: format!("`{}`'s whole run against `{}`", lesson.name, lesson.script),
                measured: "Python not run".to_string(),
                met: None,
            });
            continue;
        };
        let need = match lesson.name {
            "heavy_sum" | "integrate_sin" | "race_procs" => 10.0,
            _ => 1.0,
        };
        let rust = values(m, "defaults", lesson.name, "whole run");
        let faster = ratios(&python, &rust);
        all.push(Target {
            what: format!(
                "`{}`'s whole run at least {need}x as fast as `{}`",
                lesson.name, lesson.script
            ),
            measured: times_cell(faster),
            met: faster.map(|s| s.median >= need),
        });
    }
    beyond_the_scripts(m, &mut all);
    let _ = writeln!(md, "| target | measured | met |\n|---|---|---|");
    for target in all {
        let met = match target.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "",
        };
        let _ = writeln!(md, "| {} | {} | {met} |", target.what, target.measured);
    }
}

/// What the lessons without a Python script beside them claim: rows handed
/// out as workers free up beat equal blocks, a cache line shared costs a
/// multiple, and only SeqCst forbids r1 = r2 = 0.
fn beyond_the_scripts(m: &Measurement, all: &mut Vec<Target>) {
    let cpus = m.machine.cpus;
    if m.lessons.iter().any(|l| l.name == "mandelbrot") {
        let blocks = values(m, "defaults", "mandelbrot", "parallel (blocks of rows)");
        let rows = values(m, "defaults", "mandelbrot", "parallel (4 rows at a time)");
        let faster = ratios(&blocks, &rows);
        all.push(Target {
            what: format!(
                "`mandelbrot`: rows handed out 4 at a time at least 1.2x as fast as equal blocks ({cpus} processes)"
            ),
            measured: times_cell(faster),
            met: faster.map(|s| s.median >= 1.2),
        });
    }
    if m.lessons.iter().any(|l| l.name == "false_sharing") {
        let ratio = summary(&values(m, "defaults", "false_sharing", "ratio"));
        all.push(Target {
            what: format!(
                "`false_sharing`: counters next to each other at least 2x as slow as on lines of their own ({cpus} threads)"
            ),
            measured: times_cell(ratio),
            met: ratio.map(|s| s.median >= 2.0),
        });
    }
    if m.lessons.iter().any(|l| l.name == "reorder") {
        let count = |ordering: &str| {
            summary(&values(m, "defaults", "reorder", &format!("{ordering} r1 = r2 = 0")))
        };
        let (relaxed, seq_cst, fence) =
            (count("relaxed"), count("seqcst"), count("relaxed + fence"));
        let cell = |s: Option<Summary>| s.map(count_cell).unwrap_or_default();
        all.push(Target {
            what: "`reorder`: rounds with r1 = r2 = 0 under `Relaxed` in every run, never under `SeqCst` nor with the fence"
                .to_string(),
            measured: format!(
                "Relaxed {}, SeqCst {}, fence {}",
                cell(relaxed),
                cell(seq_cst),
                cell(fence)
            ),
            met: relaxed
                .zip(seq_cst.zip(fence))
                .map(|(r, (s, f))| r.min > 0.0 && s.max == 0.0 && f.max == 0.0),
        });
    }
    if m.lessons.iter().any(|l| l.name == "caches") {
        let plateaus = summary(&values(m, "defaults", "caches", "plateaus"));
        let lines = summary(&values(m, "defaults", "caches", "line"));
        all.push(Target {
            what: "`caches`: at least three plateaus of the chase, and a line size, in every run"
                .to_string(),
            measured: format!(
                "plateaus {}, line {} bytes",
                plateaus.map(count_cell).unwrap_or_default(),
                lines.map(count_cell).unwrap_or_default()
            ),
            met: plateaus.zip(lines).map(|(p, l)| p.min >= 3.0 && l.min > 0.0),
        });
    }
    if m.lessons.iter().any(|l| l.name == "spin_lock") {
        let many = 4 * cpus;
        let of = |way: &str, cpu: &str| {
            values(m, "defaults", "spin_lock", &format!("{way} ({many} threads){cpu}"))
        };
        let wall = ratios(&of("spin lock", ""), &of("mutex", ""));
        let cpu = ratios(&of("spin lock", " cpu"), &of("mutex", " cpu"));
        all.push(Target {
            what: format!(
                "`spin_lock`: with {many} threads on {cpus} CPUs, the spin lock at least 3x the Mutex's time and CPU time"
            ),
            measured: format!("time {}, CPU time {}", times_cell(wall), times_cell(cpu)),
            met: wall.zip(cpu).map(|(w, c)| w.median >= 3.0 && c.median >= 3.0),
        });
    }
}

fn python_label(m: &Measurement, lesson: &Lesson) -> Option<String> {
    commands(m)
        .into_iter()
        .find(|&(phase, name, label)| {
            phase == "defaults" && name == lesson.name && label.ends_with(lesson.script)
        })
        .map(|(_, _, label)| label.to_string())
}

fn defaults(m: &Measurement, lesson: &Lesson, md: &mut String) {
    let labels: Vec<&str> = commands(m)
        .into_iter()
        .filter(|&(phase, name, _)| phase == "defaults" && name == lesson.name)
        .map(|(_, _, label)| label)
        .collect();
    // Columns: every number any of its commands printed, in the order printed.
    let mut columns: Vec<(String, Unit)> = Vec::new();
    for label in &labels {
        for run in runs_of(m, "defaults", label) {
            for metric in &run.metrics {
                let column = (metric.name.clone(), metric.unit);
                if !columns.contains(&column) {
                    columns.push(column);
                }
            }
        }
    }
    // The whole run last.
    columns.sort_by_key(|(name, _)| name == "whole run");
    let _ = match (lesson.mpi, lesson.script) {
        (true, _) => {
            writeln!(md, "`{}` answers `vecAdd.py` and `vecAddF.py` with MPI ranks:\n", lesson.name)
        }
        (false, "") if lesson.name == "mandelbrot" => {
            writeln!(
                md,
                "`mandelbrot` answers `mandelB.py`, whose code the lecture did not show:\n"
            )
        }
        (false, "") => writeln!(md, "`{}`, beyond the lecture's scripts:\n", lesson.name),
        (false, script) => writeln!(md, "`{}` answers `{script}`:\n", lesson.name),
    };
    let header: Vec<String> = columns
        .iter()
        .map(|(name, unit)| match unit {
            Unit::Seconds => format!("{name} (s)"),
            Unit::Nanos => format!("{name} (ns)"),
            _ => name.clone(),
        })
        .collect();
    let _ = writeln!(md, "| command | {} |", header.join(" | "));
    let _ = writeln!(md, "|---|{}", "---|".repeat(columns.len()));
    for label in &labels {
        let cells: Vec<String> = columns
            .iter()
            .map(|(name, unit)| {
                let s = summary(&values(m, "defaults", label, name));
                match unit {
                    Unit::Seconds => s.map(seconds_cell).unwrap_or_default(),
                    Unit::Times => times_cell(s),
                    Unit::Count => s.map(count_cell).unwrap_or_default(),
                    Unit::Nanos => s.map(nanos_cell).unwrap_or_default(),
                }
            })
            .collect();
        let _ = writeln!(md, "| `{label}` | {} |", cells.join(" | "));
    }
    if lesson.name == "heavy_sum" {
        per_element(m, &labels, md);
    }
    md.push('\n');
}

/// What one element of the heavy sum costs, next to what sending it costs.
fn per_element(m: &Measurement, labels: &[&str], md: &mut String) {
    let ns = |label: &str, n: f64| {
        let s = summary(&values(m, "defaults", label, "sequential"))?;
        Some(format!("{:.0} ns", s.median / n * 1e9))
    };
    let rust_n = f64::from(m.heavy_n);
    let mut costs = vec![format!(
        "`x*x + sin(x)` costs {} per element in Rust",
        ns("heavy_sum", rust_n).unwrap_or_default()
    )];
    if let Some(python) = labels.iter().find(|l| l.ends_with(".py")) {
        // vecAddF-heavy.py's N is 1,000,000 whatever --n says.
        costs.push(format!("{} in Python", ns(python, 1e6).unwrap_or_default()));
    }
    if let Some(pipe) = summary(&ceiling_times(m, "pipe", None)) {
        let per = pipe.median / (m.bytes / 8) as f64 * 1e9;
        costs.push(format!("sending it through a pipe {per:.1} ns"));
    }
    let _ = writeln!(md, "\nPer element: {}.", costs.join("; "));
}

fn sweep(m: &Measurement, lesson: &Lesson, md: &mut String) {
    let _ = writeln!(md, "![{}]({}.svg)\n", chart_title(lesson), lesson.name);
    let (measured, reference) = curves(m, lesson);
    let names: Vec<&str> = measured.iter().map(|c| c.label.as_str()).collect();
    let _ =
        writeln!(md, "| `{}` workers | {} | {} |", lesson.name, names.join(" | "), reference.label);
    let _ = writeln!(md, "|---|{}---|", "---|".repeat(names.len()));
    for &(w, ceiling) in &reference.points {
        let at = |c: &Measured| c.points.iter().find(|&&(x, _)| x == w).map(|&(_, s)| s);
        let cells: Vec<String> = measured.iter().map(|c| times_cell(at(c))).collect();
        let _ = writeln!(md, "| {w} | {} | {ceiling:.2}x |", cells.join(" | "));
    }
    md.push('\n');
}

/// What a lesson's chart draws: its speedup at each worker count, per
/// kind of worker, and its ceiling.
/// The lessons `vec_add_mpi` answers, whose processes its chart shows too.
const ANSWERED: [&str; 2] = ["vec_add", "vec_add_shm"];

pub fn curves(m: &Measurement, lesson: &Lesson) -> (Vec<Measured>, Reference) {
    if lesson.bound == Some(Bound::Lock) {
        return lock_curves(m, lesson);
    }
    let mut by_kind: BTreeMap<String, Vec<(usize, Summary)>> = BTreeMap::new();
    for &w in &m.workers {
        // vec_add_mpi is drawn beside the two lessons it answers.
        let drawn = |r: &Run| {
            r.lesson == lesson.name
                || (lesson.mpi && r.kind == "processes" && ANSWERED.contains(&r.lesson))
        };
        let runs =
            m.runs_done.iter().filter(|r| r.phase == "sweep" && r.workers == Some(w) && drawn(r));
        let mut kinds: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for run in runs {
            for (kind, speedup) in run.speedups() {
                let curve = format!("{} {kind}", run.lesson);
                kinds.entry(curve).or_default().push(speedup);
            }
        }
        for (kind, speedups) in kinds {
            if let Some(s) = summary(&speedups) {
                by_kind.entry(kind).or_default().push((w, s));
            }
        }
    }
    let measured = by_kind.into_iter().map(|(label, points)| Measured { label, points }).collect();
    let cpus = m.machine.cpus;
    let (label, points) = match lesson.bound {
        Some(Bound::Memory) => (
            "memory ceiling (threads summing memory)".to_string(),
            m.workers
                .iter()
                .map(|&w| (w, summary(&memory_ceiling(m, w)).map_or(0.0, |s| s.median)))
                .collect(),
        ),
        Some(Bound::Sleep { tasks }) => (
            format!("{tasks} tasks in rounds: tasks / ceil(tasks / workers)"),
            m.workers.iter().map(|&w| (w, tasks as f64 / tasks.div_ceil(w) as f64)).collect(),
        ),
        Some(Bound::Cores | Bound::Lock | Bound::Staircase) | None => (
            format!("{cpus} CPUs: min(workers, CPUs)"),
            m.workers.iter().map(|&w| (w, w.min(cpus) as f64)).collect(),
        ),
    };
    (measured, Reference { label, points })
}

/// `caches`' chase, from its default runs: each working set's nanoseconds
/// a load (median and range), smallest first.
pub fn staircase(m: &Measurement, lesson: &Lesson) -> Vec<(usize, Summary)> {
    let mut points = Vec::new();
    for k in 12..=40 {
        let bytes: usize = 1 << k;
        let name = format!("chase {}", super::size_name(bytes));
        if let Some(s) = summary(&values(m, "defaults", lesson.name, &name)) {
            points.push((bytes, s));
        }
    }
    points
}

/// The spin lock's time over the Mutex's, and its CPU time over the
/// Mutex's, against the threads of its second run (`--workers`).
fn lock_curves(m: &Measurement, lesson: &Lesson) -> (Vec<Measured>, Reference) {
    let mut curves = [("time", Vec::new()), ("CPU time", Vec::new())];
    let mut threads: Vec<usize> = m
        .runs_done
        .iter()
        .filter(|r| r.phase == "sweep" && r.lesson == lesson.name)
        .filter_map(|r| r.workers)
        .collect();
    threads.sort_unstable();
    threads.dedup();
    for &w in &threads {
        let runs: Vec<&Run> = m
            .runs_done
            .iter()
            .filter(|r| r.phase == "sweep" && r.workers == Some(w) && r.lesson == lesson.name)
            .collect();
        for (what, points) in &mut curves {
            let cpu = if *what == "time" { "" } else { " cpu" };
            let ratio = |r: &&Run| {
                Some(
                    r.get(&format!("spin lock ({w} threads){cpu}"))?
                        / r.get(&format!("mutex ({w} threads){cpu}"))?,
                )
            };
            let each: Vec<f64> = runs.iter().filter_map(ratio).filter(|x| x.is_finite()).collect();
            if let Some(s) = summary(&each) {
                points.push((w, s));
            }
        }
    }
    let measured = curves
        .into_iter()
        .map(|(what, points)| Measured { label: format!("spin lock's {what} / Mutex's"), points })
        .collect();
    let label = "as fast as the Mutex".to_string();
    (measured, Reference { label, points: threads.iter().map(|&w| (w, 1.0)).collect() })
}

const BEGIN: &str = "<!-- measure:begin -->";
const END: &str = "<!-- measure:end -->";

/// `text` with what lies between its two marks replaced by `report`.
pub fn splice(text: &str, report: &str) -> Option<String> {
    let start = text.find(BEGIN)? + BEGIN.len();
    let end = start + text[start..].find(END)?;
    Some(format!("{}\n{report}{}", &text[..start], &text[end..]))
}

fn csv_text(m: &Measurement) -> String {
    let mut csv = String::from("phase,lesson,command,workers,run,metric,unit,value\n");
    for run in &m.runs_done {
        for metric in &run.metrics {
            let unit = match metric.unit {
                Unit::Seconds => "s",
                Unit::Times => "x",
                Unit::Count => "count",
                Unit::Nanos => "ns",
            };
            let workers = run.workers.map(|w| w.to_string()).unwrap_or_default();
            let _ = writeln!(
                csv,
                "{},{},{},{workers},{},{},{unit},{}",
                run.phase,
                run.lesson,
                run.label,
                run.rep + 1,
                metric.name,
                metric.value
            );
        }
    }
    csv
}

/// Three significant figures: 0.0134, 0.454, 1.30.
fn seconds(value: f64) -> String {
    if value <= 0.0 {
        return "0".to_string();
    }
    let decimals =
        [100.0, 10.0, 1.0, 0.1, 0.01, 0.001].iter().take_while(|&&limit| value < limit).count();
    format!("{value:.decimals$}")
}

fn nanos_cell(s: Summary) -> String {
    format!("{:.1} [{:.1}–{:.1}]", s.median, s.min, s.max)
}

fn seconds_cell(s: Summary) -> String {
    format!("{} [{}–{}]", seconds(s.median), seconds(s.min), seconds(s.max))
}

fn times_cell(s: Option<Summary>) -> String {
    match s {
        Some(s) => format!("{:.2}x [{:.2}–{:.2}]", s.median, s.min, s.max),
        None => String::new(),
    }
}

fn count_cell(s: Summary) -> String {
    if s.min == s.max {
        format!("{:.0}", s.median)
    } else {
        format!("{:.0} [{:.0}–{:.0}]", s.median, s.min, s.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_significant_figures() {
        assert_eq!(seconds(0.013_44), "0.0134");
        assert_eq!(seconds(0.454), "0.454");
        assert_eq!(seconds(1.3), "1.30");
        assert_eq!(seconds(12.345), "12.3");
        assert_eq!(seconds(0.0), "0");
    }

    #[test]
    fn cells_show_the_median_and_the_range() {
        let s = Summary { median: 0.5, min: 0.25, max: 1.0 };
        assert_eq!(seconds_cell(s), "0.500 [0.250–1.00]");
        assert_eq!(times_cell(Some(s)), "0.50x [0.25–1.00]");
        let counts = Summary { median: 200.0, min: 150.0, max: 250.0 };
        assert_eq!(count_cell(counts), "200 [150–250]");
        assert_eq!(times_cell(None), "");
    }

    #[test]
    fn the_report_goes_between_the_marks() {
        let readme = "# Title\n<!-- measure:begin -->\nold figures\n<!-- measure:end -->\nmore\n";
        let report = "a table\n![chart](vec_add.svg)\n";
        assert_eq!(
            splice(readme, report).unwrap(),
            "# Title\n<!-- measure:begin -->\na table\n![chart](vec_add.svg)\n\
             <!-- measure:end -->\nmore\n"
        );
        assert_eq!(splice("no marks", "a table"), None);
    }

    #[test]
    fn the_measured_page_holds_the_committed_report_word_for_word() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let readme = fs::read_to_string(root.join("measured/README.md")).unwrap();
        let report = fs::read_to_string(root.join("measured/report.md")).unwrap();
        let expected = splice(&readme, &report).unwrap();
        assert!(
            readme == expected,
            "measured/README.md's tables are not measured/report.md: \
             run `cargo xtask measure --out measured --readme`, do not edit it by hand"
        );
    }

    #[test]
    fn ratios_are_taken_run_by_run() {
        let s = ratios(&[2.0, 9.0, 4.0], &[1.0, 3.0, 4.0]).unwrap();
        assert_eq!((s.median, s.min, s.max), (2.0, 1.0, 3.0));
    }
}
