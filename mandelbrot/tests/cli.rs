//! Runs the real `mandelbrot` binary: every parallel image is the sequential
//! one, for any worker count and split, and a dead worker ends the run.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use std::fs;
use std::time::Duration;

use testkit::{assert_all_gone, assert_refused, assert_worker_failed, run, texts};

const BIN: &str = env!("CARGO_BIN_EXE_mandelbrot");

const SMALL: &[&str] = &["--width", "61", "--height", "41", "--max-iter", "100"];

#[test]
fn every_parallel_image_is_the_sequential_one() {
    for (workers, rows) in [("1", "1"), ("2", "4"), ("3", "7"), ("8", "100")] {
        for mode in [&[][..], &["--threads"][..]] {
            let mut args = [SMALL, &["--workers", workers, "--rows-per-task", rows]].concat();
            args.extend_from_slice(mode);
            let output = run(BIN, &args);
            let (stdout, stderr) = texts(&output);
            assert!(output.status.success(), "{args:?}: {stderr}");
            // Two timelines follow, one row per worker that started.
            let drawn = testkit::timelines(&stdout);
            assert_eq!(drawn.len(), 2, "{stdout}");
            let stdout = testkit::before_timeline(&stdout);
            let lines: Vec<&str> = stdout.lines().collect();
            assert!(lines[0].starts_with("Sequential time: "), "{stdout}");
            assert!(lines[1].starts_with("Parallel time (blocks of rows): "), "{stdout}");
            assert!(lines[4].starts_with(&format!("Parallel time ({rows} rows at a time): ")));
            // One busy time per worker that had a task.
            let busy = lines[3].strip_prefix("Busy: ").unwrap().split(", ").count();
            assert_eq!(busy, workers.parse::<usize>().unwrap(), "{stdout}");
            assert_eq!(lines[7], "Images are the same: true", "{args:?}");
            assert_eq!(lines.len(), 10, "{stdout}");
        }
    }
}

#[test]
fn the_picture_is_written_only_where_asked_and_named() {
    let dir = testkit::fresh_dir(env!("CARGO_TARGET_TMPDIR"), "mandelbrot-png");
    let output = testkit::run_with_tmp(BIN, SMALL, &dir);
    let stdout = texts(&output).0;
    let stdout = testkit::before_timeline(&stdout);
    assert!(stdout.ends_with("Image: not written (--out mandelbrot.png writes it)\n"), "{stdout}");
    assert!(testkit::entries(&dir).is_empty());

    let path = dir.join("m.png");
    let output = run(BIN, &[SMALL, &["--out", path.to_str().unwrap()]].concat());
    let stdout = texts(&output).0;
    assert!(stdout.contains(&format!("Image: {} (each worker's", path.display())), "{stdout}");
    assert!(fs::read(&path).unwrap().starts_with(b"\x89PNG\r\n\x1a\n"));

    // A folder that is not there: one line, and no file.
    let missing = dir.join("nowhere").join("m.png");
    let output = run(BIN, &[SMALL, &["--out", missing.to_str().unwrap()]].concat());
    testkit::assert_one_line_error(&output, "cannot write ");
    assert!(!missing.exists());
}

#[test]
fn bad_flags_are_refused_before_any_work() {
    assert_refused(&run(BIN, &["--workers", "0"]), "--workers");
    assert_refused(&run(BIN, &["--workers", "257"]), "--workers");
    assert_refused(&run(BIN, &["--width", "0"]), "--width");
    assert_refused(&run(BIN, &["--height", "-1"]), "--height");
    assert_refused(&run(BIN, &["--height", "10001"]), "--height");
    assert_refused(&run(BIN, &["--max-iter", "abc"]), "--max-iter");
    assert_refused(&run(BIN, &["--rows-per-task", "1__0"]), "--rows-per-task");
}

/// A pool of two workers: what a test does to it, it does while a caught
/// worker is stopped, and the run cannot end without that worker.
const POOL: &[&str] = &["--width", "61", "--height", "41", "--max-iter", "100", "--workers", "2"];

#[test]
fn a_worker_killed_mid_run_ends_the_run_with_a_clear_error() {
    let (run, workers) = testkit::start_caught(BIN, POOL, &[], 1);
    testkit::kill(workers[0]);
    assert_worker_failed(&run.finish(), "SIGKILL");
    assert_all_gone(&workers);
}

#[test]
fn ctrl_c_stops_the_parent_and_every_worker() {
    let (run, workers) = testkit::start_caught(BIN, POOL, &[], 1);
    run.interrupt();
    testkit::resume(workers[0]); // a stopped worker takes its SIGINT as it goes on
    assert!(!run.finish().status.success());
    assert_all_gone(&workers);
}

#[test]
fn a_stopped_worker_goes_with_its_killed_parent() {
    let (run, _) = testkit::start_caught(BIN, POOL, &[], 1);
    assert_eq!(run.kill_parent(), "", "the workers said something");
}

#[test]
fn a_stopped_worker_does_not_hide_a_dead_one() {
    let (run, workers) = testkit::start_caught(BIN, POOL, &[], 2);
    testkit::kill(workers[1]); // the first stays stopped, and never answers
    let output = run.finish_within(Duration::from_secs(10));
    assert_worker_failed(&output, "SIGKILL");
    assert_all_gone(&workers);
}

#[test]
fn a_worker_answering_what_was_not_asked_is_an_error() {
    let (run, workers) = testkit::start_caught(BIN, POOL, &[], 1);
    testkit::write_to_stdout_of(workers[0], "7 00\n");
    let output = run.finish();
    testkit::assert_one_line_error(&output, " answered \"");
    assert_all_gone(&workers);
}

#[test]
fn a_worker_writes_each_answer_whole_in_one_write() {
    // A worker stopped or killed between two writes of one answer would
    // leave half a line in the pipe: what came after it would be read as
    // that answer's pixels (the test above once saw exactly that).
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    let me = std::process::id().to_string();
    let args = ["--worker", &me, "--width", "61", "--height", "41", "--max-iter", "10"];
    let mut worker = Command::new(BIN);
    worker.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut worker = worker.spawn().unwrap();
    let mut stdin = worker.stdin.take().unwrap();
    // Task 0 of 20 rows: 2,440 hexadecimal digits, more than stdout's buffer.
    stdin.write_all(b"0 20\n").unwrap();
    let mut answer = String::new();
    BufReader::new(worker.stdout.take().unwrap()).read_line(&mut answer).unwrap();
    assert!(answer.starts_with("0 ") && answer.len() > 2440, "{answer}");
    // Still running (waiting for its next task): its writes so far, which
    // a kernel without I/O accounting does not count.
    let io = fs::read_to_string(format!("/proc/{}/io", worker.id())).unwrap_or_default();
    let writes = io.lines().find_map(|l| l.strip_prefix("syscw: ")).map(str::to_string);
    drop(stdin);
    assert!(worker.wait().unwrap().success());
    match writes {
        Some(writes) => assert_eq!(writes, "1", "the answer took {writes} writes"),
        None => println!("note: this kernel does not count a process's writes (/proc/PID/io)"),
    }
}

#[test]
fn a_worker_killed_in_the_middle_of_an_answer_failed_and_did_not_answer() {
    // An answer is long (the rows' pixels): the worker may be killed after
    // writing part of it. A part without its newline is no answer.
    let (run, workers) = testkit::start_caught(BIN, POOL, &[], 1);
    testkit::write_to_stdout_of(workers[0], "0 00ff");
    testkit::kill(workers[0]);
    assert_worker_failed(&run.finish(), "SIGKILL");
    assert_all_gone(&workers);
}

#[test]
fn head_ends_the_run_quietly() {
    let (first, output) = testkit::run_into_head(BIN, SMALL);
    assert!(!first.is_empty());
    testkit::assert_quiet_end(&output);
}

#[test]
fn a_full_disk_is_one_line() {
    let output = testkit::run_into_full_disk(BIN, SMALL);
    testkit::assert_one_line_error(&output, "No space left on device");
}

#[test]
fn no_worker_outlives_a_killed_parent() {
    // From the first workers' start to the middle of the second run.
    let args = ["--width", "200", "--height", "200", "--max-iter", "3000", "--workers", "4"];
    testkit::assert_no_worker_outlives_its_parent(BIN, &args, &[0, 1, 2, 4, 8, 50, 100, 200]);
}

#[test]
fn a_thread_that_cannot_start_is_one_line() {
    let args = [SMALL, &["--workers", "4", "--threads"]].concat();
    let output = testkit::run_limited(testkit::NO_THREADS, BIN, &args);
    testkit::assert_one_line_error(&output, "cannot start a thread");
}

#[test]
fn a_worker_started_by_hand_refuses_rows_its_parent_never_sends() {
    let dir = testkit::fresh_dir(env!("CARGO_TARGET_TMPDIR"), "mandelbrot-by-hand");
    let me = std::process::id().to_string();
    let args = ["--worker", &me, "--width", "2", "--height", "3", "--max-iter", "10"];
    // Task 1 of 2 rows: row 2, the last of 3, 2 pixels: 4 hexadecimal digits.
    let output = testkit::run_with_input(BIN, &args, b"1 2\n", &dir);
    let stdout = texts(&output).0;
    let words: Vec<&str> = stdout.split_whitespace().collect();
    assert_eq!((words[0], words[1].len()), ("1", 4), "{stdout}");
    for bad in ["3 1\n", "0 0\n", "0 -1\n", "0\n", "9223372036854775808 2\n"] {
        let output = testkit::run_with_input(BIN, &args, bad.as_bytes(), &dir);
        testkit::assert_one_line_error(&output, "is not a task");
    }
}

#[test]
fn every_numeric_flag_takes_the_lectures_underscores() {
    let args = ["--width", "6_1", "--height", "4_1", "--max-iter", "1_00", "--workers", "0_2"];
    let output = run(BIN, &args);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("\nImages are the same: true\n"), "{stdout}");
}

#[test]
fn each_runs_timeline_shows_every_row_drawn_once_by_a_worker() {
    for mode in [&[][..], &["--threads"][..]] {
        let args = [SMALL, &["--workers", "3", "--rows-per-task", "5"], mode].concat();
        let (output, recorded) = testkit::run_recorded(BIN, &args);
        let drawn = testkit::timelines(&texts(&output).0);
        assert_eq!(drawn.iter().map(|t| t.rows.len()).collect::<Vec<_>>(), [3, 3]);
        testkit::assert_well_recorded(&recorded);
        // Task k is rows k * step .. (k + 1) * step: blocks of 14 rows, then tasks of 5.
        for (run, step) in recorded.iter().zip([14, 5]) {
            let mut rows = vec![0; 41];
            for span in run.spans.iter().filter(|s| s.doing == "computing") {
                let start = span.task.expect("a task") * step;
                assert_eq!(span.size, step.min(41 - start), "{span:?}");
                rows[start..start + span.size].iter_mut().for_each(|r| *r += 1);
            }
            assert_eq!(rows, [1; 41], "{}: {run:?}", run.title);
        }
        // The blocks run: one block each.
        let blocks = &recorded[0];
        for worker in &blocks.workers {
            assert_eq!(blocks.of(worker, "computing").len(), 1, "{blocks:?}");
        }
    }
}
