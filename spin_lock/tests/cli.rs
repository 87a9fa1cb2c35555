//! Runs the real `spin_lock` binary and checks what must always hold: the
//! locked counts exact, the unlocked one within bounds, and each sentence
//! only beside the numbers that show it; never how long anything took.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use testkit::{assert_refused, run, texts};

const BIN: &str = env!("CARGO_BIN_EXE_spin_lock");

/// One run of the four ways with one number of threads.
#[derive(Debug)]
struct Block {
    threads: u64,
    /// (label, count, total, time, CPU time) of no lock, spin lock, Mutex, fetch_add.
    lines: Vec<(String, u64, u64, f64, f64)>,
}

/// The blocks of a run's output, and the lines after them (before its timelines).
fn blocks(stdout: &str) -> (Vec<Block>, Vec<String>) {
    let text: Vec<&str> = testkit::before_timeline(stdout).lines().collect();
    let (mut blocks, mut rest) = (Vec::new(), Vec::new());
    let mut lines = text.iter();
    while let Some(line) = lines.next() {
        if !line.contains(" additions each, ") {
            rest.push((*line).to_string());
            continue;
        }
        let threads = line.split(' ').next().unwrap().parse().expect("N threads");
        let four = lines.by_ref().take(4).map(|line| {
            let (label, rest) = line.trim().split_once(':').expect("label: count of total");
            let words: Vec<&str> = rest.split_whitespace().collect();
            let number = |w: &str| w.trim_end_matches(',').parse::<f64>().expect("a number");
            assert_eq!((words[1], words[3], words[7]), ("of", "time", "CPU"), "{line}");
            let (count, total) =
                (words[0].parse().unwrap(), words[2].trim_end_matches(',').parse().unwrap());
            (label.to_string(), count, total, number(words[5]), number(words[10]))
        });
        blocks.push(Block { threads, lines: four.collect() });
    }
    (blocks, rest)
}

/// The checks of every run: the locked and atomic counts exact, the
/// unlocked one at most the total, and each sentence beside its numbers.
fn check(stdout: &str, iters: u64) -> Vec<Block> {
    let (blocks, rest) = blocks(stdout);
    assert_eq!(blocks.len(), 2, "{stdout}");
    for block in &blocks {
        let labels: Vec<&str> = block.lines.iter().map(|l| l.0.as_str()).collect();
        assert_eq!(labels, ["no lock", "spin lock", "Mutex", "fetch_add"], "{stdout}");
        let total = block.threads * iters;
        for (label, count, printed, _, _) in &block.lines {
            assert_eq!(*printed, total, "{label}: {stdout}");
            match label.as_str() {
                "no lock" => assert!((1..=total).contains(count), "{stdout}"),
                _ => assert_eq!(*count, total, "{label}: {stdout}"),
            }
        }
    }
    // A sentence for each run with more than one thread, saying the ratios
    // that the lines above give, and claiming only what they show.
    let with: Vec<&String> = rest.iter().filter(|l| l.starts_with("With ")).collect();
    let shared: Vec<&Block> = blocks.iter().filter(|b| b.threads > 1).collect();
    assert_eq!(with.len(), shared.len(), "{stdout}");
    for (sentence, block) in with.iter().zip(shared) {
        let (spin, mutex) = (&block.lines[1], &block.lines[2]);
        if sentence.contains("too short to compare") {
            assert!(spin.3.min(mutex.3) < 0.0055 || mutex.4 == 0.0, "{stdout}");
            continue;
        }
        let wall = format!("took {:.2}x the Mutex's time", spin.3 / mutex.3);
        // (Ratios of rounded times: the sentence's are of the times measured.)
        let words: Vec<&str> = sentence.split_whitespace().collect();
        let ratio = |at: usize| words[at].trim_end_matches('x').parse::<f64>().unwrap();
        let at = words.iter().position(|w| *w == "took").expect("took") + 1;
        let (wall_ratio, cpu_ratio) = (ratio(at), ratio(at + 5));
        if mutex.3 >= 0.01 {
            assert!(
                (wall_ratio - spin.3 / mutex.3).abs() < 0.2 + wall_ratio * 0.1,
                "{wall}: {stdout}"
            );
        }
        if sentence.contains("spin out their time slices") {
            assert!(wall_ratio >= 1.5 && cpu_ratio >= 1.5, "{stdout}");
        }
        if sentence.contains("takes the lock the moment it is let go") {
            assert!(wall_ratio <= 1.2, "{stdout}");
        }
        if sentence.contains("no worse this time") {
            assert!(wall_ratio <= 1.1, "{stdout}");
        }
        if sentence.contains("leaves the others spinning") {
            assert!(wall_ratio >= 1.2, "{stdout}"); // 1.204 is printed 1.20
        }
    }
    let lost_none = rest.iter().filter(|l| l.starts_with("No lock lost no update")).count();
    let exact = shared_exact(&blocks, iters);
    assert_eq!(lost_none, exact, "{stdout}");
    blocks
}

/// The runs of more than one thread whose unlocked count lost nothing.
fn shared_exact(blocks: &[Block], iters: u64) -> usize {
    blocks.iter().filter(|b| b.threads > 1 && b.lines[0].1 == b.threads * iters).count()
}

#[test]
fn locked_counts_are_exact_and_each_sentence_stands_beside_its_numbers() {
    for (workers, iters) in [("1", "1"), ("3", "1000"), ("5", "3000")] {
        let args = ["--workers", workers, "--iters", iters, "--work", "50"];
        let output = run(BIN, &args);
        let (stdout, stderr) = texts(&output);
        assert!(output.status.success(), "{stderr}");
        let blocks = check(&stdout, iters.parse().unwrap());
        assert_eq!(blocks[1].threads.to_string(), workers);
        // The timelines of the second run: the spin lock's, then the Mutex's.
        let drawn = testkit::timelines(&stdout);
        assert_eq!(drawn.len(), 2, "{stdout}");
        assert!(drawn.iter().all(|d| d.rows.len().to_string() == workers), "{stdout}");
    }
}

#[test]
fn on_one_cpu_the_first_run_is_one_thread_and_the_second_four() {
    let output = testkit::run_limited("taskset -pc 0 $$ >/dev/null", BIN, &["--iters", "2000"]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    let blocks = check(&stdout, 2000);
    assert_eq!((blocks[0].threads, blocks[1].threads), (1, 4), "{stdout}");
    assert!(stdout.starts_with("1 thread, one a CPU ("), "{stdout}");
}

#[test]
fn defaults_are_200000_additions_of_50_steps() {
    // On two CPUs at most: the locked additions take turns, so a run of a
    // thread per CPU and four per CPU lasts longer the more CPUs there are.
    let output = testkit::run_limited("taskset -pc 0-1 $$ >/dev/null", BIN, &[]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains(" (200000 additions each, 50 steps of work in each):\n"));
    check(&stdout, 200_000);
}

#[test]
fn bad_flags_are_refused_before_any_work() {
    assert_refused(&run(BIN, &["--workers", "0"]), "--workers");
    assert_refused(&run(BIN, &["--workers", "257"]), "--workers");
    assert_refused(&run(BIN, &["--iters", "0"]), "--iters");
    assert_refused(&run(BIN, &["--iters", "abc"]), "--iters");
    assert_refused(&run(BIN, &["--work", "100001"]), "--work");
    for flag in ["--workers", "--iters", "--work"] {
        let output = run(BIN, &[flag, "-1"]);
        assert_refused(&output, flag);
        assert!(texts(&output).1.contains("': -1 is not in "), "{flag}");
    }
}

const BIN_ARGS: &[&str] = &["--workers", "2", "--iters", "10"];

#[test]
fn head_ends_the_run_quietly() {
    let (first, output) = testkit::run_into_head(BIN, BIN_ARGS);
    assert!(first.contains(" additions each, "), "{first}");
    testkit::assert_quiet_end(&output);
}

#[test]
fn a_full_disk_is_one_line() {
    let output = testkit::run_into_full_disk(BIN, BIN_ARGS);
    testkit::assert_one_line_error(&output, "No space left on device");
}

#[test]
fn a_thread_that_cannot_start_is_one_line_and_no_hang() {
    let output = testkit::run_limited(testkit::NO_THREADS, BIN, BIN_ARGS);
    testkit::assert_one_line_error(&output, "cannot start a thread");
}

#[test]
fn every_numeric_flag_takes_the_lectures_underscores() {
    let output = run(BIN, &["--workers", "0_3", "--iters", "1_000", "--work", "1_0"]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains(" (1000 additions each, 10 steps of work in each):"), "{stdout}");
}

#[test]
fn the_timelines_show_every_thread_making_all_its_additions() {
    let (output, recorded) = testkit::run_recorded(BIN, &["--workers", "3", "--iters", "5000"]);
    assert!(output.status.success());
    testkit::assert_well_recorded(&recorded);
    // Both runs' four ways: eight timelines recorded, two printed.
    assert_eq!(recorded.len(), 8);
    for run in &recorded[4..] {
        assert_eq!(run.workers.len(), 3, "{run:?}");
        for worker in &run.workers {
            let added: usize =
                run.spans.iter().filter(|s| &s.worker == worker).map(|s| s.size).sum();
            assert_eq!(added, 5000, "{}: {worker}", run.title);
        }
    }
}
