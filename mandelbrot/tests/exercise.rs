//! The exercise's tests (`cargo xtask export mandelbrot DIR --exercise`):
//! each names the function it judges, and passes once that function is right.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use testkit::{assert_workers_at_most, assert_workers_at_once, assert_written, run_answer, texts};

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

#[test]
fn render_in_processes_renders_the_sequential_image() {
    assert_same_images("render_in_processes", &[]);
    // A pool: its workers alive together, and no more of them than asked
    // for, however many tasks: 2 for the blocks, then 2 for the 10 tasks
    // of 4 rows (each task lasts long enough to be seen).
    let pool = ["--width", "40", "--height", "40", "--max-iter", "100000", "--workers", "2"];
    assert_workers_at_once(BIN, &pool, 2, "render_in_processes");
    assert_workers_at_most(BIN, &pool, 4, "render_in_processes");
}

#[test]
fn render_in_threads_renders_the_sequential_image() {
    assert_same_images("render_in_threads", &["--threads"]);
}
