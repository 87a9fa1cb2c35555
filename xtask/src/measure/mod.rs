//! `cargo xtask measure`: every lesson on this machine, k times each,
//! alternating with the lecture's Python script and with this machine's
//! ceilings, so that every ratio is taken side by side in one run; then a
//! sweep of `--workers`. Writes `report.md`, `runs.csv` and one chart per
//! lesson with a parallel phase.

mod ceiling;
mod chart;
mod machine;
mod parse;
mod report;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail, ensure};
use indicatif::{ProgressBar, ProgressStyle};

use self::machine::Machine;
use self::parse::{Metric, Unit};

/// `cargo xtask measure`'s flags.
#[derive(clap::Args)]
pub struct Options {
    /// How many times to run every command (medians and ranges are over these)
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    runs: u32,
    /// Three runs of every command: a first look in a minute or two
    #[arg(long, conflicts_with = "runs")]
    quick: bool,
    /// The folder of the lecture's Python scripts (vecAdd.py, ...), to run
    /// each beside its lesson with python3, numpy and scipy [default: no Python]
    #[arg(long, value_name = "DIR")]
    python_scripts: Option<PathBuf>,
    /// The Python interpreter for the scripts
    #[arg(long, value_name = "PROGRAM", default_value = "python3")]
    python: String,
    /// The folder for report.md, runs.csv and the charts [default: target/measure]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Also put the report into OUT/README.md, between its `measure:begin`
    /// and `measure:end` marks (as `--out measured` keeps measured/README.md)
    #[arg(long)]
    readme: bool,
    /// Also measure vec_add_mpi under Open MPI's mpirun, with 1, 2, 4, ...
    /// ranks (needs Open MPI: see the README)
    #[arg(long)]
    mpi: bool,
    /// --n for vec_add, vec_add_shm, heavy_sum and the memory ceilings,
    /// instead of each one's default (smaller sizes: a quick check)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000_000))]
    n: Option<u32>,
    /// --iters for race_threads, false_sharing, race_procs and locked_counter
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=8_000_000))]
    iters: Option<u32>,
    /// --reps for integrate_sin
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    reps: Option<u32>,
    /// --sleep-ms for squares
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=10_000))]
    sleep_ms: Option<u32>,
    /// --max-iter for mandelbrot
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    max_iter: Option<u32>,
}

/// The sizes a lesson takes, which `--n` and the others override.
#[derive(Clone, Copy, PartialEq)]
enum Size {
    N,
    Iters,
    Reps,
    SleepMs,
    MaxIter,
}

/// What caps a lesson's speedup: the line drawn as its ceiling.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// Summing memory: the memory ceiling, measured in the same run.
    Memory,
    /// Computing: one worker per core, min(workers, CPUs).
    Cores,
    /// Sleeping tasks: the rounds of tasks, tasks / ceil(tasks / workers).
    Sleep { tasks: usize },
    /// A lock against the Mutex (spin_lock): its time over the Mutex's,
    /// against threads; 1 is as fast as the Mutex.
    Lock,
    /// No workers (caches): its chase's nanoseconds a load against the
    /// working set, with the system's cache sizes; nothing to sweep.
    Staircase,
}

pub struct Lesson {
    name: &'static str,
    /// The lecture's Python script that it answers ("" for none: the
    /// lessons beyond the eight scripts).
    script: &'static str,
    /// Does it take `--threads`?
    threads: bool,
    sizes: Vec<Size>,
    /// What caps its speedup; `None`: no parallel phase to sweep.
    bound: Option<Bound>,
    /// Started by `mpirun -np WORKERS`, measured only with `--mpi`.
    mpi: bool,
}

/// Every lesson, as its `[package.metadata.lesson]` says to measure it.
fn all_lessons() -> Result<&'static [Lesson]> {
    static LESSONS: std::sync::OnceLock<Vec<Lesson>> = std::sync::OnceLock::new();
    if let Some(lessons) = LESSONS.get() {
        return Ok(lessons);
    }
    let mut lessons = Vec::new();
    for lesson in crate::lessons::all() {
        let name = lesson.name.as_str();
        let sizes = lesson.measure.sizes.iter().map(|size| match size.as_str() {
            "n" => Ok(Size::N),
            "iters" => Ok(Size::Iters),
            "reps" => Ok(Size::Reps),
            "sleep-ms" => Ok(Size::SleepMs),
            "max-iter" => Ok(Size::MaxIter),
            _ => bail!("{name}: no size {size:?} to measure"),
        });
        let bound = match lesson.measure.bound.as_deref() {
            None => None,
            Some("memory") => Some(Bound::Memory),
            Some("cores") => Some(Bound::Cores),
            Some("lock") => Some(Bound::Lock),
            Some("staircase") => Some(Bound::Staircase),
            Some(sleep) => match sleep.strip_prefix("sleep ").and_then(|t| t.parse().ok()) {
                Some(tasks) => Some(Bound::Sleep { tasks }),
                None => bail!("{name}: no bound {sleep:?}"),
            },
        };
        let (script, threads, mpi) = (lesson.script.as_str(), lesson.threads, lesson.mpi);
        let sizes = sizes.collect::<Result<_>>()?;
        lessons.push(Lesson { name, script, threads, sizes, bound, mpi });
    }
    Ok(LESSONS.get_or_init(|| lessons))
}

/// The default elements of `vec_add` and `vec_add_shm`: the memory
/// ceilings sum an array of the same size.
const N: u32 = 50_000_000;

/// Where Linux keeps POSIX shared memory (tmpfs), as Python's
/// `SharedMemory` does: `vec_add_shm` runs there too, beside the temp dir.
const SHM: &str = "/dev/shm";

/// The lessons also run as `--release` builds, to show that plain
/// `cargo run` (the workspace's dev profile) times like `--release`.
const RELEASE: [&str; 2] = ["vec_add", "heavy_sum"];

/// `heavy_sum`'s default elements, as in vecAddF-heavy.py.
const HEAVY_N: u32 = 1_000_000;

/// One command the tool runs: a lesson's binary, or a Python script.
struct Job<'a> {
    lesson: &'a Lesson,
    /// `processes`, `threads` or `python`.
    kind: &'static str,
    program: PathBuf,
    args: Vec<String>,
    /// How the report names it: `vec_add --threads`, `python3 vecAdd.py`.
    label: String,
    workers: Option<usize>,
}

/// One run of one command, or one measurement of a ceiling.
pub struct Run {
    pub phase: &'static str,
    pub lesson: &'static str,
    pub label: String,
    pub kind: &'static str,
    pub workers: Option<usize>,
    pub rep: u32,
    pub metrics: Vec<Metric>,
}

impl Run {
    pub fn get(&self, name: &str) -> Option<f64> {
        self.metrics.iter().find(|m| m.name == name).map(|m| m.value)
    }

    /// Every speedup it printed, named by its kind: `threads`, or for
    /// `vec_add_mpi`, which prints two, `scattered` and `made locally`
    /// (with threads: `threads, blocks of rows`).
    pub fn speedups(&self) -> Vec<(String, f64)> {
        let qualified: Vec<(String, f64)> = self
            .metrics
            .iter()
            .filter_map(|m| {
                let how = m.name.strip_prefix("speedup (")?.strip_suffix(')')?;
                let how = match self.kind {
                    "threads" => format!("threads, {how}"),
                    _ => how.to_string(),
                };
                Some((how, m.value))
            })
            .filter(|(_, speedup)| speedup.is_finite())
            .collect();
        if !qualified.is_empty() {
            return qualified;
        }
        self.speedup().map(|speedup| (self.kind.to_string(), speedup)).into_iter().collect()
    }

    /// The speedup it printed, or its sequential time over its parallel one.
    pub fn speedup(&self) -> Option<f64> {
        let speedup = self
            .get("speedup")
            .or_else(|| Some(self.get("sequential")? / self.get("parallel")?))?;
        // A phase too short for the printed digits has no speedup.
        speedup.is_finite().then_some(speedup)
    }
}

/// What one `measure` found.
pub struct Measurement {
    pub machine: Machine,
    /// The lessons measured, in the lecture's order.
    pub lessons: Vec<&'static Lesson>,
    pub python: Option<String>,
    pub runs: u32,
    /// The sizes changed from the lessons' defaults, as flags.
    pub changed: Vec<String>,
    pub workers: Vec<usize>,
    pub runs_done: Vec<Run>,
    /// The memory ceiling's array, in bytes.
    pub bytes: usize,
    /// `heavy_sum`'s elements.
    pub heavy_n: u32,
}

pub fn measure(options: &Options) -> Result<()> {
    let runs = if options.quick { 3 } else { options.runs };
    let exe = std::env::current_exe().context("cannot find this program")?;
    let bin = exe.parent().context("this program is in a folder")?;
    let out = match &options.out {
        Some(out) => out.clone(),
        None => bin.parent().context("target/debug has a parent")?.join("measure"),
    };
    let lessons: Vec<&'static Lesson> =
        all_lessons()?.iter().filter(|l| options.mpi || !l.mpi).collect();
    let python = python(options, &lessons)?;
    if options.mpi {
        ensure!(
            machine::output_of("mpirun", &["--version"]).is_some(),
            "--mpi: no mpirun here: install Open MPI (see the README)"
        );
    }
    // Before any work: a folder that cannot be made is one line, at once.
    fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    build(options.mpi)?;

    let machine = Machine::this_one();
    let mut workers = sweep(machine.cpus);
    if options.mpi {
        // vec_add_mpi with 1, 2, 3 and 4 ranks at least.
        workers.extend(1..=4);
        workers.sort_unstable();
        workers.dedup();
    }
    let mut jobs = Vec::new();
    let release = bin.parent().context("target/debug has a parent")?.join("release");
    for &lesson in &lessons {
        if lesson.mpi {
            jobs.push(rust_job(lesson, "mpi", &[], Some(machine.cpus), bin, options));
            continue;
        }
        jobs.push(rust_job(lesson, "processes", &[], None, bin, options));
        if lesson.threads {
            jobs.push(rust_job(lesson, "threads", &["--threads"], None, bin, options));
        }
        if lesson.name == "vec_add_shm" && Path::new(SHM).is_dir() {
            let flags = ["--shm-dir", SHM];
            jobs.push(rust_job(lesson, SHM, &flags, None, bin, options));
        }
        if RELEASE.contains(&lesson.name) {
            let flags = ["--threads"];
            jobs.push(rust_job(lesson, "release", &flags, None, &release, options));
        }
        if let (Some((program, dir)), false) = (&python, lesson.script.is_empty()) {
            jobs.push(Job {
                lesson,
                kind: "python",
                program: PathBuf::from(program),
                args: vec![dir.join(lesson.script).display().to_string()],
                label: format!("{program} {}", lesson.script),
                workers: None,
            });
        }
    }
    let mut sweep_jobs = Vec::new();
    // A lock lesson, also with four threads a CPU, its default.
    let many = (4 * machine.cpus).min(MOST_WORKERS);
    for &lesson in lessons.iter().filter(|l| l.bound == Some(Bound::Lock)) {
        if !workers.contains(&many) {
            sweep_jobs.push(rust_job(lesson, "processes", &[], Some(many), bin, options));
        }
    }
    for &w in &workers {
        for &lesson in lessons.iter().filter(|l| l.bound.is_some_and(|b| b != Bound::Staircase)) {
            let kind = if lesson.mpi { "mpi" } else { "processes" };
            sweep_jobs.push(rust_job(lesson, kind, &[], Some(w), bin, options));
            if lesson.threads {
                let flags = ["--threads"];
                sweep_jobs.push(rust_job(lesson, "threads", &flags, Some(w), bin, options));
            }
        }
    }

    let n = options.n.unwrap_or(N) as usize;
    let arr = ceiling::array(n);
    let heavy_sum = bin.join(executable("heavy_sum"));
    let ceilings_per_run = workers.len() + 2;
    let total = u64::from(runs) * (jobs.len() + sweep_jobs.len() + ceilings_per_run) as u64;
    let progress = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {msg}")
            .expect("the template is valid"),
    );
    let mut done = Vec::new();
    for rep in 0..runs {
        // The ceilings first, then every command once, in turn: drift over
        // the minutes of a run touches every row alike.
        for &w in &workers {
            progress.set_message(format!("memory sum, {w} threads"));
            let time = ceiling::memory_sum(&arr, w)?;
            done.push(ceiling_run("memory sum", Some(w), rep, time));
            progress.inc(1);
        }
        progress.set_message("pipe");
        let time = ceiling::pipe(&arr, &exe)?;
        done.push(ceiling_run("pipe", None, rep, time));
        progress.inc(1);
        progress.set_message("worker start");
        let time = ceiling::worker_start(&heavy_sum)?;
        done.push(ceiling_run("worker start", None, rep, time));
        progress.inc(1);
        for job in &jobs {
            progress.set_message(job.label.clone());
            done.push(run(job, "defaults", rep)?);
            progress.inc(1);
        }
    }
    for rep in 0..runs {
        for job in &sweep_jobs {
            progress.set_message(job.label.clone());
            done.push(run(job, "sweep", rep)?);
            progress.inc(1);
        }
    }
    progress.finish_and_clear();

    let changed = changed_sizes(options);
    let measurement = Measurement {
        machine,
        python: python.as_ref().and_then(|(program, _)| python_versions(program)),
        runs,
        lessons,
        changed,
        workers,
        runs_done: done,
        bytes: n * 8,
        heavy_n: options.n.unwrap_or(HEAVY_N),
    };
    report::write(&measurement, &out)?;
    for lesson in measurement.lessons.iter().filter(|l| l.bound == Some(Bound::Staircase)) {
        let path = out.join(format!("{}.svg", lesson.name));
        let points = report::staircase(&measurement, lesson);
        let title = format!("{}: the levels, a random chase", lesson.name);
        chart::staircase(&path, &title, &points, &os_caches())
            .with_context(|| format!("cannot draw {}", path.display()))?;
    }
    for lesson in
        measurement.lessons.iter().filter(|l| l.bound.is_some_and(|b| b != Bound::Staircase))
    {
        let path = out.join(format!("{}.svg", lesson.name));
        let (measured, reference) = report::curves(&measurement, lesson);
        chart::draw(
            &path,
            lesson.bound == Some(Bound::Lock),
            &report::chart_title(lesson),
            &measured,
            &reference,
        )
        .with_context(|| format!("cannot draw {}", path.display()))?;
    }
    if options.readme {
        readme(&out)?;
    }
    let mut stdout = std::io::stdout();
    writeln!(stdout, "The report is in {}:", out.display())?;
    writeln!(stdout, "  report.md, runs.csv and a chart per lesson (NAME.svg)")?;
    Ok(())
}

/// Replaces the tables of OUT/README.md (between its marks) with the
/// report; the charts lie beside it.
fn readme(out: &Path) -> Result<()> {
    let report = fs::read_to_string(out.join("report.md"))?;
    let path = out.join("README.md");
    let text = fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}: --readme needs one", path.display()))?;
    let spliced = report::splice(&text, &report).with_context(|| {
        format!("{} has no `<!-- measure:begin -->` ... `<!-- measure:end -->`", path.display())
    })?;
    fs::write(&path, spliced).with_context(|| format!("cannot write {}", path.display()))
}

/// `4 KiB`, `2 MiB`, `1 GiB`: as `caches` names its working sets.
fn size_name(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b => format!("{} KiB", b >> 10),
    }
}

/// The data and unified caches the system reports, named (`L1d`, `L2`),
/// from Linux's sysfs; elsewhere none.
fn os_caches() -> Vec<(String, usize)> {
    let dir = Path::new("/sys/devices/system/cpu/cpu0/cache");
    let mut caches = Vec::new();
    for index in 0..8 {
        let read = |what: &str| fs::read_to_string(dir.join(format!("index{index}/{what}")));
        let (Ok(level), Ok(kind), Ok(size)) = (read("level"), read("type"), read("size")) else {
            continue;
        };
        let Some(kib) = size.trim().strip_suffix('K').and_then(|k| k.parse::<usize>().ok()) else {
            continue;
        };
        match kind.trim() {
            "Data" => caches.push((format!("L{}d", level.trim()), kib * 1024)),
            "Unified" => caches.push((format!("L{}", level.trim()), kib * 1024)),
            _ => {}
        }
    }
    caches
}

/// The most workers a lesson's `--workers` takes.
const MOST_WORKERS: usize = 256;

/// 1, 2, 4, ... up to twice the CPUs, and the CPU count itself: at most
/// `MOST_WORKERS`, all the lessons take.
fn sweep(cpus: usize) -> Vec<usize> {
    let mut workers: Vec<usize> = std::iter::successors(Some(1), |w| Some(w * 2))
        .take_while(|&w| w <= 2 * cpus)
        .chain([cpus])
        .filter(|&w| w <= MOST_WORKERS)
        .collect();
    workers.sort_unstable();
    workers.dedup();
    workers
}

/// A lesson's binary with `flags` (and the sizes the options change),
/// from `dir`: `target/debug`, or `target/release` for kind `release`.
fn rust_job<'a>(
    lesson: &'a Lesson,
    kind: &'static str,
    flags: &[&str],
    workers: Option<usize>,
    dir: &Path,
    options: &Options,
) -> Job<'a> {
    let mut args: Vec<String> = flags.iter().map(ToString::to_string).collect();
    if let (false, Some(w)) = (lesson.mpi, workers) {
        args.extend(["--workers".to_string(), w.to_string()]);
    }
    let mut label = [lesson.name.to_string()]
        .into_iter()
        .chain(args.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    let mut program = dir.join(executable(lesson.name));
    if let (true, Some(w)) = (lesson.mpi, workers) {
        // Ranks are processes: more of them than cores is allowed, as
        // --workers allows it; root may run them (CI does).
        label = format!("mpirun -np {w} {label}");
        let exe = program.display().to_string();
        let mpirun = ["--oversubscribe", "--allow-run-as-root", "-np", &w.to_string(), &exe];
        args = mpirun.iter().map(ToString::to_string).chain(args).collect();
        program = PathBuf::from("mpirun");
    }
    if kind == "release" {
        label.push_str(" (--release)");
    }
    for (size, flag, value) in [
        (Size::N, "--n", options.n),
        (Size::Iters, "--iters", options.iters),
        (Size::Reps, "--reps", options.reps),
        (Size::SleepMs, "--sleep-ms", options.sleep_ms),
        (Size::MaxIter, "--max-iter", options.max_iter),
    ] {
        if let (true, Some(value)) = (lesson.sizes.contains(&size), value) {
            args.extend([flag.to_string(), value.to_string()]);
        }
    }
    Job { lesson, kind, program, args, label, workers }
}

fn executable(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

/// Runs one job to its end; its whole run is timed from start to exit.
fn run(job: &Job, phase: &'static str, rep: u32) -> Result<Run> {
    let start = timing::now();
    let output = Command::new(&job.program)
        .args(&job.args)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot start {}", job.program.display()))?;
    let whole = timing::since(start);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let why = stderr.lines().last().unwrap_or("no message");
        bail!("`{}` failed ({}): {why}", job.label, output.status);
    }
    let mut metrics = parse::metrics(&String::from_utf8_lossy(&output.stdout));
    ensure!(!metrics.is_empty(), "`{}` printed nothing the report can read", job.label);
    metrics.push(Metric::new("whole run", Unit::Seconds, whole));
    Ok(Run {
        phase,
        lesson: job.lesson.name,
        label: job.label.clone(),
        kind: job.kind,
        workers: job.workers,
        rep,
        metrics,
    })
}

fn ceiling_run(label: &str, workers: Option<usize>, rep: u32, time: f64) -> Run {
    Run {
        phase: "ceiling",
        lesson: "ceiling",
        label: label.to_string(),
        kind: "ceiling",
        workers,
        rep,
        metrics: vec![Metric::new("time", Unit::Seconds, time)],
    }
}

/// Builds every lesson as `cargo run` would (the workspace's dev profile),
/// and the `RELEASE` ones with `--release` too; `vec_add_mpi` only for
/// `--mpi`, since it needs MPI installed.
fn build(mpi: bool) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut workspace = vec!["--bins", "--workspace", "--exclude", "xtask"];
    if !mpi {
        workspace.extend(["--exclude", "vec_add_mpi"]);
    }
    let release: Vec<&str> = ["--release"]
        .into_iter()
        .chain(RELEASE.iter().flat_map(|name| ["--package", name]))
        .collect();
    for args in [&workspace[..], &release] {
        let status = Command::new(&cargo)
            .args(["build", "--quiet"])
            .args(args)
            .status()
            .context("cannot run cargo to build the lessons")?;
        ensure!(status.success(), "cannot build the lessons: {status}");
    }
    Ok(())
}

/// The interpreter and the scripts' folder, if Python can run them here.
fn python(options: &Options, lessons: &[&Lesson]) -> Result<Option<(String, PathBuf)>> {
    let Some(dir) = &options.python_scripts else {
        eprintln!(
            "Python left out: give --python-scripts DIR, the lecture's scripts, to run them too"
        );
        return Ok(None);
    };
    for lesson in lessons.iter().filter(|l| !l.script.is_empty()) {
        let script = dir.join(lesson.script);
        ensure!(
            script.is_file(),
            "no {} in {}: give the folder of the lecture's scripts",
            lesson.script,
            dir.display()
        );
    }
    if python_versions(&options.python).is_none() {
        eprintln!(
            "Python left out: `{}` cannot import numpy and scipy (pip install numpy scipy)",
            options.python
        );
        return Ok(None);
    }
    Ok(Some((options.python.clone(), dir.clone())))
}

/// `Python 3.11.7, numpy 2.4.6, scipy 1.16.3`, if all three are there.
fn python_versions(program: &str) -> Option<String> {
    let script = "import sys, numpy, scipy; \
                  print(f'Python {sys.version.split()[0]}, numpy {numpy.__version__}, scipy {scipy.__version__}')";
    machine::output_of(program, &["-c", script])
}

fn changed_sizes(options: &Options) -> Vec<String> {
    [
        ("--n", options.n),
        ("--iters", options.iters),
        ("--reps", options.reps),
        ("--sleep-ms", options.sleep_ms),
        ("--max-iter", options.max_iter),
    ]
    .into_iter()
    .filter_map(|(flag, value)| Some(format!("{flag} {}", value?)))
    .collect()
}

/// The runs of one command in one phase, in order.
pub fn runs_of<'a>(
    measurement: &'a Measurement,
    phase: &str,
    label: &str,
) -> impl Iterator<Item = &'a Run> {
    let (phase, label) = (phase.to_string(), label.to_string());
    measurement.runs_done.iter().filter(move |r| r.phase == phase && r.label == label)
}

/// Everything measured, grouped: (phase, lesson, label) in the order run.
pub fn commands(measurement: &Measurement) -> Vec<(&'static str, &'static str, &str)> {
    let mut seen = Vec::new();
    for run in &measurement.runs_done {
        let key = (run.phase, run.lesson, run.label.as_str());
        if !seen.contains(&key) {
            seen.push(key);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::sweep;

    #[test]
    fn workers_double_up_to_twice_the_cpus_and_include_the_cpus() {
        assert_eq!(sweep(1), [1, 2]);
        assert_eq!(sweep(2), [1, 2, 4]);
        assert_eq!(sweep(6), [1, 2, 4, 6, 8]);
        assert_eq!(sweep(32), [1, 2, 4, 8, 16, 32, 64]);
        assert_eq!(sweep(192), [1, 2, 4, 8, 16, 32, 64, 128, 192, 256]);
        assert_eq!(sweep(300), [1, 2, 4, 8, 16, 32, 64, 128, 256]);
    }
}
