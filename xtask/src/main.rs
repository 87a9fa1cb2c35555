//! Tools around the lessons, not a lesson:
//!
//! - `cargo xtask export NAME DIR` takes a lesson out as a Cargo project of
//!   its own (the lesson, the `timing` and `testkit` helpers, the licences,
//!   the lock file and this workspace's settings); with `--exercise`, as
//!   an assignment: the lesson's functions left to write (`exercise.rs`).
//! - `cargo xtask measure` runs every lesson on this machine, beside the
//!   lecture's Python and this machine's own limits, and writes a report,
//!   a CSV of every run and a speedup chart per lesson.
//! - `cargo xtask battery` judges answers to the exercises, wrong ones and
//!   right ones written differently, with the exercises' own tests.
//! - `cargo xtask windows-check DIR`, on Windows (CI: under wine), runs
//!   every lesson's Windows build and checks what it prints, and how it
//!   ends when a worker or the parent is ended.

mod battery;
mod exercise;
mod export;
mod lessons;
#[cfg(feature = "measure")]
mod measure;
#[cfg(windows)]
mod windows;

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

/// Tools around the lessons.
#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Take one lesson out of the workspace, as a project of your own
    Export {
        /// The lesson, e.g. heavy_sum
        name: String,
        /// A new (or empty) folder for the project
        dir: PathBuf,
        /// As an exercise: the functions that are the lesson left to write,
        /// a README with the task, and tests that pass once they are right
        #[arg(long)]
        exercise: bool,
    },
    /// Measure every lesson on this machine: a report, a CSV and speedup charts
    ///
    /// Every lesson runs with its defaults (and with `--threads` where it has
    /// them), in turn with the lecture's Python script (with
    /// --python-scripts) and with this machine's ceilings: summing memory
    /// with one thread and with several, a pipe, starting a worker process.
    /// Then every lesson with a parallel phase runs with 1, 2, 4, ... up to
    /// twice the CPUs workers. Medians and ranges go into report.md, every
    /// run into runs.csv, and a speedup chart per lesson into NAME.svg.
    #[cfg(feature = "measure")]
    Measure(measure::Options),
    /// Measure every lesson on this machine: a report, a CSV and speedup charts
    #[cfg(not(feature = "measure"))]
    #[command(disable_help_flag = true)]
    Measure {
        /// Its flags, for the build with the charts
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        flags: Vec<std::ffi::OsString>,
    },
    /// On Windows: run the lessons' .exe files in DIR and check them (CI runs it under wine)
    ///
    /// Every lesson with its defaults, small sizes and --threads; a worker
    /// ended by TerminateProcess with exit code 1 and 0; the parent ended
    /// so; the output cut short through a pipe; no .tmp file left behind.
    WindowsCheck {
        /// The folder of the lessons' .exe files, e.g. target/x86_64-pc-windows-gnu/debug
        dir: PathBuf,
        /// Only this lesson's checks (to chase a check that fails now and then)
        #[arg(long, value_name = "LESSON")]
        only: Option<String>,
        /// Every check this many times over
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
        repeat: u32,
    },
    /// Judge the battery of answers (xtask/battery/) with their exercises' tests
    ///
    /// Every answer, wrong or right but written differently, goes into its
    /// exercise in place of the lesson's functions, and its `cargo test`
    /// runs as a student's would. Each verdict is printed beside the one
    /// the answer deserves; the exit code says whether all were.
    Battery(battery::Options),
    /// Print the lessons' names, one a line, in the workspace's order (for scripts)
    Lessons {
        /// Only those with worker processes / with an exercise / with threads only
        #[arg(long, value_enum)]
        with: Option<With>,
    },
    /// Read stdin to its end and print how many bytes came: the far end of
    /// the pipe whose speed `measure` takes
    #[command(hide = true)]
    Sink,
}

/// Which lessons `cargo xtask lessons` prints.
#[derive(Clone, Copy, clap::ValueEnum)]
enum With {
    /// Those that start worker processes
    Processes,
    /// Those that start only threads
    ThreadsOnly,
    /// Those with an exercise (`exercise.toml`)
    Exercise,
    /// Those that run without MPI (the default members)
    NoMpi,
}

fn main() -> ExitCode {
    let Args { task } = Args::parse();
    let result = match task {
        Task::Export { name, dir, exercise } => {
            export::export(&name, &dir, exercise).and_then(|()| export::tell(&name, &dir, exercise))
        }
        Task::Battery(options) => battery::battery(&options),
        #[cfg(feature = "measure")]
        Task::Measure(options) => measure::measure(&options),
        #[cfg(not(feature = "measure"))]
        Task::Measure { flags } => measure_with_charts(&flags),
        Task::Sink => sink(),
        Task::Lessons { with } => print_lessons(with),
        Task::WindowsCheck { dir, only, repeat } => windows_check(&dir, only.as_deref(), repeat),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `| head` stopped reading: nobody to tell.
        Err(err)
            if err
                .downcast_ref::<io::Error>()
                .is_some_and(|err| err.kind() == io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// `export` and `windows-check` need neither the charts nor the progress
/// bar, so a plain `cargo xtask` is built without them (a cold export takes
/// half the time): `measure` builds this tool again with them, and runs it.
#[cfg(not(feature = "measure"))]
fn measure_with_charts(flags: &[std::ffi::OsString]) -> Result<()> {
    use anyhow::Context;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["run", "--package", "xtask", "--features", "measure", "--", "measure"])
        .args(flags)
        .status()
        .context("cannot start cargo to build the measuring tool")?;
    std::process::exit(status.code().unwrap_or(1));
}

#[cfg(windows)]
fn windows_check(dir: &std::path::Path, only: Option<&str>, repeat: u32) -> Result<()> {
    windows::check(dir, only, repeat)
}

#[cfg(not(windows))]
fn windows_check(_dir: &std::path::Path, _only: Option<&str>, _repeat: u32) -> Result<()> {
    anyhow::bail!("windows-check runs on Windows (CI runs it under wine: .ci/wine)")
}

/// The lessons' names, one a line: all, or those `with` something.
fn print_lessons(with: Option<With>) -> Result<()> {
    let mut stdout = io::stdout();
    for lesson in lessons::all() {
        let chosen = match with {
            None => true,
            Some(With::Processes) => lesson.processes,
            Some(With::ThreadsOnly) => !lesson.processes && !lesson.mpi,
            Some(With::Exercise) => lesson.exercise()?.is_some(),
            Some(With::NoMpi) => !lesson.mpi,
        };
        if chosen {
            writeln!(stdout, "{}", lesson.name)?;
        }
    }
    Ok(())
}

/// Reads stdin through one 512 KiB buffer, as a `vec_add` worker does.
fn sink() -> Result<()> {
    let mut stdin = io::stdin().lock();
    let mut buffer = vec![0_u8; 512 * 1024];
    let mut bytes = 0;
    loop {
        match stdin.read(&mut buffer)? {
            0 => break,
            read => bytes += read,
        }
    }
    writeln!(io::stdout(), "{bytes}")?;
    Ok(())
}
