//! Runs the real `caches` binary and checks what must always hold: every
//! experiment's lines, the same sum by rows and by columns, a line size or
//! a plateau claimed only where the times show it; never a time itself.
#![cfg(target_os = "linux")] // testkit looks at processes through /proc

use testkit::{assert_refused, run, texts};

const BIN: &str = env!("CARGO_BIN_EXE_caches");
const SMALL: &[&str] = &["--line-mib", "8", "--max-mib", "8", "--matrix", "300"];

/// The number after `prefix` on the line that starts with it.
fn number_after(stdout: &str, line: &str, prefix: &str) -> f64 {
    let line = stdout.lines().find(|l| l.starts_with(line)).unwrap_or_else(|| panic!("{line}"));
    let rest = line.split(prefix).nth(1).unwrap_or_else(|| panic!("{prefix} in {line}"));
    let word = rest.split_whitespace().next().unwrap().trim_end_matches([',', 'x', 's']);
    word.parse().unwrap_or_else(|_| panic!("a number after {prefix} in {line}"))
}

/// What sysfs says of cpu0's caches: `what` (`level`, `coherency_line_size`)
/// for each cache it lists.
fn sysfs(what: &str) -> Vec<String> {
    let dir = "/sys/devices/system/cpu/cpu0/cache";
    let read = |index| std::fs::read_to_string(format!("{dir}/index{index}/{what}"));
    (0..8).filter_map(|index| read(index).ok()).map(|s| s.trim().to_string()).collect()
}

#[test]
fn every_experiment_prints_its_lines_and_claims_only_what_its_times_show() {
    let output = run(BIN, SMALL);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    // (a): eleven k, then what they show.
    let ks: Vec<f64> = lines
        .iter()
        .filter(|l| l.starts_with("  k = "))
        .map(|l| l.split(':').nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(ks.len(), 11, "{stdout}");
    let line = lines.iter().find(|l| l.starts_with("Line: ")).expect("a Line: line");
    if !line.starts_with("Line: not ") {
        // A line size claimed: the doublings after it halved the time.
        let bytes: usize = line[6..].split(' ').next().unwrap().parse().unwrap();
        let i = (bytes / 4).trailing_zeros() as usize; // k = bytes / 4 = 2^i
        // The program's rule, on the printed times (to 0.005 ms): up to k,
        // the time fell by at most 0.55 halvings a doubling on average, and
        // over the four doublings after, by at least 0.7.
        let (low, high) = (|t: f64| t - 0.005, |t: f64| t + 0.005);
        let before = (high(ks[i]) / low(ks[0])).log2() / i as f64;
        let after = (low(ks[i + 4]).max(0.0) / high(ks[i])).log2() / 4.0;
        assert!(before >= -0.55 && after <= -0.7, "{stdout}");
    }
    // Beside it, what the OS says, or that it says nothing (some virtual
    // machines' sysfs lists no caches).
    let said = match sysfs("coherency_line_size").first() {
        Some(bytes) => format!("; the OS says {bytes} bytes."),
        None => "; the OS does not say.".to_string(),
    };
    assert!(line.ends_with(&said), "{line}");
    // (b): 4 KiB to 8 MiB, twelve working sets, then the plateaus and the OS's sizes.
    let sets = lines
        .iter()
        .filter(|l| l.trim_start().starts_with(char::is_numeric) && l.contains(" ns "))
        .count();
    assert_eq!(sets, 12, "{stdout}");
    assert!(lines.iter().any(|l| l.starts_with("Plateaus: ")), "{stdout}");
    let caches = match sysfs("level").is_empty() {
        true => "The OS says (sysfs): this system does not say.",
        false => "The OS says (sysfs): L1",
    };
    assert!(lines.iter().any(|l| l.starts_with(caches)), "{stdout}");
    // (c): the same sum both ways, and why only beside a ratio that shows it.
    let rows = number_after(&stdout, "Rows:", "sum = ");
    let columns = number_after(&stdout, "Columns:", "sum = ");
    let expected: u64 = (0..1000_u64).cycle().take(300 * 300).sum();
    assert_eq!((rows, columns), (expected as f64, expected as f64), "{stdout}");
    let ratio = number_after(&stdout, "Columns:", "s, ");
    let why =
        lines.iter().any(|l| l.starts_with("By columns, consecutive numbers are 1200 bytes apart"));
    if (ratio - 2.0).abs() > 0.01 {
        // A printed 2.0x may be 1.95x or 2.04x: either way is right there.
        assert_eq!(why, ratio >= 2.0, "{stdout}");
    }
}

#[test]
fn bad_flags_are_refused_before_any_work() {
    for flag in ["--line-mib", "--max-mib", "--matrix"] {
        assert_refused(&run(BIN, &[flag, "0"]), flag);
        assert_refused(&run(BIN, &[flag, "abc"]), flag);
        let output = run(BIN, &[flag, "-1"]);
        assert_refused(&output, flag);
        assert!(texts(&output).1.contains("': -1 is not in "), "{flag}");
    }
    assert_refused(&run(BIN, &["--workers", "2"]), "--workers");
}

#[test]
fn more_memory_than_is_free_is_refused_in_one_line_before_any_work() {
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap();
    let free_kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .expect("MemAvailable");
    if free_kib >= 64 << 20 {
        return; // 64 GiB free: nothing here asks for more
    }
    let output = run(BIN, &["--max-mib", "65536"]);
    assert_refused(&output, "the run needs 64 GiB of memory and ");
    assert_eq!(texts(&output).1.lines().filter(|l| l.starts_with("error:")).count(), 1);
}

#[test]
fn head_ends_the_run_quietly() {
    let (first, output) = testkit::run_into_head(BIN, SMALL);
    assert!(first.starts_with("The line: "), "{first}");
    testkit::assert_quiet_end(&output);
}

#[test]
fn a_full_disk_is_one_line() {
    let output = testkit::run_into_full_disk(BIN, SMALL);
    testkit::assert_one_line_error(&output, "No space left on device");
}

#[test]
fn every_numeric_flag_takes_the_lectures_underscores() {
    let output = run(BIN, &["--line-mib", "0_8", "--max-mib", "1_6", "--matrix", "1_00"]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("of 8 MiB") && stdout.contains("4 KiB to 16 MiB"), "{stdout}");
    assert!(stdout.contains("A 100 x 100 matrix"), "{stdout}");
}
