//! `cargo xtask measure` on tiny sizes: the report, the CSV and the charts
//! are written, with every lesson in them. (What it measures is for the
//! report; no time is asserted here.)
#![cfg(unix)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_xtask");

const LESSONS: [(&str, &str); 8] = [
    ("vec_add", "vecAdd.py"),
    ("vec_add_shm", "vecAddF.py"),
    ("heavy_sum", "vecAddF-heavy.py"),
    ("race_threads", "threadP.py"),
    ("race_procs", "threadP-B.py"),
    ("locked_counter", "lockedCounter.py"),
    ("squares", "squares.py"),
    ("integrate_sin", "integrate_sin.py"),
];

/// The two lessons beyond the lecture's scripts: no Python beside them.
const BEYOND: [&str; 2] = ["false_sharing", "reorder"];

/// The lesson whose script's code was not shown: no Python beside it either.
const UNSHOWN: &str = "mandelbrot";

/// The lessons with a parallel phase: each gets a chart.
const SWEPT: [&str; 6] =
    ["vec_add", "vec_add_shm", "heavy_sum", "squares", "integrate_sin", "mandelbrot"];

fn fresh(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// `measure --quick` on sizes small enough for a test.
fn measure_quick(out: &Path, more: &[&str]) -> Output {
    let tiny =
        ["--n", "20000", "--iters", "1000", "--reps", "20", "--sleep-ms", "1", "--max-iter", "10"];
    let output = Command::new(BIN)
        .args(["measure", "--quick", "--out"])
        .arg(out)
        .args(tiny)
        .args(more)
        .output();
    output.expect("xtask runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_quick_run_writes_the_report_the_csv_and_a_chart_per_lesson() {
    let out = fresh("measure-quick");
    let output = measure_quick(&out, &[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("Python left out"), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains(&out.display().to_string()),
        "it names the folder at the end: {}",
        text(&output.stdout)
    );

    let report = fs::read_to_string(out.join("report.md")).unwrap();
    for (lesson, script) in LESSONS {
        let row = format!("| `{lesson}` |");
        assert_eq!(report.matches(&row).count(), 1, "{row} in:\n{report}");
        assert!(report.contains(&format!("`{lesson}` answers `{script}`")));
    }
    for lesson in BEYOND {
        assert_eq!(report.matches(&format!("| `{lesson}` |")).count(), 1, "{lesson} in:\n{report}");
        assert!(report.contains(&format!("`{lesson}`, beyond the lecture's scripts:")));
    }
    assert_eq!(report.matches("| `mandelbrot` |").count(), 1, "{report}");
    assert!(
        report.contains("`mandelbrot` answers `mandelB.py`, whose code the lecture did not show:")
    );
    assert!(report.contains("| `mandelbrot`: rows handed out 4 at a time at least 1.2x as fast"));
    assert!(report.contains("| `false_sharing`: counters next to each other at least 2x as slow"));
    assert!(report.contains("| `reorder`: rounds with r1 = r2 = 0 under `Relaxed` in every run"));
    assert!(report.contains("sum of 0 MB of i64 in memory, 1 thread"));
    assert!(report.contains("Sizes changed from the lecture's: --n 20000"));

    let csv = fs::read_to_string(out.join("runs.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert!(rows.iter().all(|row| row.len() == 8), "{csv}");
    for lesson in LESSONS.map(|(lesson, _)| lesson).iter().chain(&BEYOND).chain(&[UNSHOWN]) {
        // 3 runs with the defaults, each with its whole run.
        let whole_runs = rows
            .iter()
            .filter(|r| r[0] == "defaults" && r[2] == *lesson && r[5] == "whole run")
            .count();
        assert_eq!(whole_runs, 3, "{lesson}");
    }
    for lesson in SWEPT {
        let chart = fs::read_to_string(out.join(format!("{lesson}.svg"))).unwrap();
        assert!(chart.starts_with("<svg"), "{lesson}.svg");
        assert!(chart.contains("speedup against workers"), "{lesson}.svg");
    }
    assert!(!out.join("race_procs.svg").exists());
}

#[test]
fn the_python_scripts_run_in_turn_with_their_lessons() {
    // A stand-in interpreter: it "has" numpy and scipy, and a script's
    // output is the script's text. The real scripts take minutes.
    let dir = fresh("measure-python");
    let scripts = dir.join("lecture");
    fs::create_dir_all(&scripts).unwrap();
    let python = dir.join("fake-python");
    fs::write(
        &python,
        "#!/bin/sh\n\
         if [ \"$1\" = -c ]; then echo 'Python 3.0 (stand-in), numpy 0, scipy 0'; else cat \"$1\"; fi\n",
    )
    .unwrap();
    fs::set_permissions(&python, fs::Permissions::from_mode(0o755)).unwrap();
    for (_, script) in LESSONS {
        let output = match script {
            "threadP.py" | "threadP-B.py" | "lockedCounter.py" => "400000\n",
            "squares.py" | "integrate_sin.py" => {
                "Sequential time: 1.00 seconds\nParallel time: 0.50 seconds\n"
            }
            _ => {
                "Sequential sum: 5, time = 0.200 s\nParallel sum: 5, time = 0.100 s\n\
                  Speedup: 2.00x with 2 processes\n"
            }
        };
        fs::write(scripts.join(script), output).unwrap();
    }

    let out = dir.join("report");
    let output = measure_quick(
        &out,
        &["--python", python.to_str().unwrap(), "--python-scripts", scripts.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let report = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("Python 3.0 (stand-in)"), "{report}");
    for (_, script) in LESSONS {
        let row = format!("| `{} {script}` |", python.display());
        assert!(report.contains(&row), "{row} in:\n{report}");
    }
    assert!(!report.contains("Python not run"), "{report}");
    for lesson in BEYOND {
        // One row: the lesson's own, no Python beside it.
        assert_eq!(report.matches(&format!("`{lesson}`")).count(), 3, "{lesson} in:\n{report}");
    }
    let csv = fs::read_to_string(out.join("runs.csv")).unwrap();
    // The Python rows are taken between the Rust ones, run by run.
    let order: Vec<&str> = csv
        .lines()
        .filter(|l| l.starts_with("defaults,vec_add,") && l.contains(",whole run,"))
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    let python_row = format!("{} vecAdd.py", python.display());
    assert_eq!(
        order,
        ["vec_add", "vec_add --threads", "vec_add --threads (--release)", &python_row].repeat(3)
    );
}

#[test]
fn a_folder_without_the_scripts_is_one_line_before_any_work() {
    let dir = fresh("measure-no-scripts");
    fs::create_dir_all(&dir).unwrap();
    let out = dir.join("report");
    let output = measure_quick(&out, &["--python-scripts", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: no vecAdd.py in "), "{stderr}");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn a_folder_that_cannot_be_made_is_one_line_before_any_work() {
    let output = measure_quick(Path::new("/proc/no-such-folder"), &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    let error = stderr.lines().last().unwrap_or_default();
    assert!(error.starts_with("error: cannot create /proc/no-such-folder"), "{stderr}");
    assert!(text(&output.stdout).is_empty());
}
