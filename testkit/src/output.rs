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
    assert!(!stderr.contains("not yet implemented"), "{function} is still to write: {stderr}");
    assert!(output.status.success(), "{function}: the run failed: {stdout}{stderr}");
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
