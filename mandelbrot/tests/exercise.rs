//! The exercise's tests (`cargo xtask export mandelbrot DIR --exercise`):
//! each names the function it judges, and passes once that function is
//! right: the image the sequential one, and each run's tasks shared as the
//! `todo!` asks, as the workers' own record (the timeline) says.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use testkit::{Expect, Recorded, assert_written, judge, judge_answer, run_answer, texts};

const BIN: &str = env!("CARGO_BIN_EXE_mandelbrot");

fn assert_same_images(function: &str, mode: &[&str]) {
    for (workers, rows) in [("1", "3"), ("3", "1"), ("8", "5")] {
        let args = ["--width", "41", "--height", "29", "--max-iter", "60"];
        let args = [&args[..], &["--workers", workers, "--rows-per-task", rows], mode].concat();
        let output = run_answer(BIN, &args, function);
        assert_written(&output, function);
        let stdout = texts(&output).0;
        assert!(stdout.contains("\nImages are the same: true\n"), "{function}: {stdout}");
    }
}

/// The two runs of 60 rows on 3 workers: equal blocks (20 rows each: one
/// block a worker), then tasks of 4 rows, shared by whichever is free; each
/// row drawn once, by the workers, more than one at a time.
fn judge_runs(function: &str, runs: &[Recorded]) -> Result<bool, String> {
    let [blocks, rows] = runs else {
        return Err(format!("{function}: {} runs, not 2", runs.len()));
    };
    let expect = Expect { size: Some(60), ..Expect::new(function, 3) };
    let blocks_at_once = judge(blocks, &expect)?;
    for worker in &blocks.workers {
        let drawn = blocks.of(worker, "computing");
        if drawn.len() != 1 || drawn[0].size != 20 {
            return Err(format!("{function}: with one block a worker, {worker} drew {drawn:?}"));
        }
    }
    let rows_at_once = judge(rows, &Expect { exactly: false, ..expect })?;
    if let Some(big) = rows.spans.iter().find(|s| s.doing == "computing" && s.size > 4) {
        return Err(format!(
            "{function}: a worker drew {} rows at once, not a task of 4",
            big.size
        ));
    }
    Ok(blocks_at_once && rows_at_once)
}

const RUNS: [&str; 10] = [
    "--width",
    "200",
    "--height",
    "60",
    "--max-iter",
    "3000",
    "--workers",
    "3",
    "--rows-per-task",
    "4",
];

#[test]
fn render_in_processes_renders_the_sequential_image() {
    assert_same_images("render_in_processes", &[]);
    judge_answer(BIN, &RUNS, "render_in_processes", |runs| judge_runs("render_in_processes", runs));
}

#[test]
fn render_in_threads_renders_the_sequential_image() {
    assert_same_images("render_in_threads", &["--threads"]);
    let args = [&RUNS[..], &["--threads"]].concat();
    judge_answer(BIN, &args, "render_in_threads", |runs| judge_runs("render_in_threads", runs));
}
