//! Helpers for the members' integration tests (a dev-dependency only: no
//! lesson's program depends on it). They run a lesson's real binary, never
//! let it hang a test, and look at its worker processes from outside the way
//! a teacher would: `kill -9` one of them, or press Ctrl-C.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// No run in a test may take longer than this: past it the test fails as hung.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// Runs `bin` with `args` to the end and returns what it printed.
pub fn run(bin: &str, args: &[&str]) -> Output {
    Started::new(bin, args, &[]).finish()
}

/// Runs `bin` with its temp dir set to `tmp` (to check it leaves nothing there).
pub fn run_with_tmp(bin: &str, args: &[&str], tmp: &Path) -> Output {
    Started::new(bin, args, &[("TMPDIR", tmp)]).finish()
}

/// A lesson's program started in its own process group, as a shell starts a
/// foreground job, so that `interrupt` reaches it and its workers together.
#[derive(Debug)]
pub struct Started {
    child: Child,
}

impl Started {
    pub fn new(bin: &str, args: &[&str], env: &[(&str, &Path)]) -> Started {
        use std::os::unix::process::CommandExt;
        let mut command = Command::new(bin);
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().expect("the lesson's binary starts");
        Started { child }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until the program has `count` live child processes and returns
    /// their pids, or `None` if it ended first.
    pub fn wait_for_workers(&mut self, count: usize) -> Option<Vec<u32>> {
        let start = Instant::now();
        while start.elapsed() < DEADLINE {
            if self.child.try_wait().expect("try_wait works").is_some() {
                return None;
            }
            let workers: Vec<u32> = children_of(self.pid())
                .into_iter()
                .filter(|&pid| state(pid).is_some_and(|s| s != 'Z'))
                .collect();
            if workers.len() >= count {
                return Some(workers);
            }
            sleep(Duration::from_micros(200));
        }
        panic!("no {count} workers appeared within {DEADLINE:?}");
    }

    /// Ctrl-C in a terminal: SIGINT to the whole process group.
    pub fn interrupt(&self) {
        let group = -i32::try_from(self.pid()).expect("pids fit in i32");
        assert!(signal(libc::SIGINT, group), "the run had already ended");
    }

    /// Waits for the end (failing the test if it hangs) and returns the output.
    pub fn finish(mut self) -> Output {
        let start = Instant::now();
        while self.child.try_wait().expect("try_wait works").is_none() {
            if start.elapsed() > DEADLINE {
                let _ = self.child.kill();
                panic!("the program hung: still running after {DEADLINE:?}");
            }
            sleep(Duration::from_millis(5));
        }
        self.child
            .wait_with_output()
            .expect("the output can be read")
    }
}

/// Sends signal `sig` (`libc::SIGKILL`, ...) to `pid`, or to the whole
/// process group `-pid` when `pid` is negative, as the shell's `kill` does.
/// Returns false if there was no such process (it had already ended).
pub fn signal(sig: i32, pid: i32) -> bool {
    // SAFETY: kill(2) takes plain integers and touches no memory of ours.
    unsafe { libc::kill(pid, sig) == 0 }
}

/// `kill -9 pid`.
pub fn kill(pid: u32) -> bool {
    signal(libc::SIGKILL, i32::try_from(pid).expect("pids fit in i32"))
}

/// The pids whose parent is `parent`, read from /proc.
pub fn children_of(parent: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| stat_field(pid, 1).and_then(|p| p.parse().ok()) == Some(parent))
        .collect()
}

/// The process state letter (R, S, Z, ...), or `None` once the pid is gone.
pub fn state(pid: u32) -> Option<char> {
    stat_field(pid, 0)?.chars().next()
}

/// Field `i` after the command name in /proc/PID/stat (0 = state, 1 = ppid).
fn stat_field(pid: u32, i: usize) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may itself contain spaces.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(i).map(str::to_owned)
}

/// The text of a line that starts with `prefix`, up to the next `,` or the
/// end of the line: `value(out, "Parallel sum: ")` gives `"2500190079"`.
pub fn value<'a>(stdout: &'a str, prefix: &str) -> &'a str {
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in:\n{stdout}"));
    line.split(',')
        .next()
        .expect("split gives one piece at least")
        .trim()
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

/// Asserts the run ended because of a failed worker: exactly one line,
/// naming the worker and the cause, and exit code 1.
pub fn assert_worker_failed(output: &Output, cause: &str) {
    let (_, stderr) = texts(output);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: worker "), "{stderr}");
    assert!(stderr.contains(cause), "{stderr}");
}

/// Asserts that none of `pids` still runs once the run is over. A worker
/// whose parent died is adopted and reaped by init; until then it is a zombie,
/// which has already exited, so that counts as gone.
pub fn assert_all_gone(pids: &[u32]) {
    let start = Instant::now();
    for &pid in pids {
        while state(pid).is_some_and(|s| s != 'Z') {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "worker {pid} outlived the run"
            );
            sleep(Duration::from_millis(10));
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_reads_up_to_the_comma() {
        let out = "Sequential sum: 12, time = 0.1 s\nCPUs: 2\n";
        assert_eq!(value(out, "Sequential sum: "), "12");
        assert_eq!(value(out, "CPUs: "), "2");
    }

    #[test]
    fn finds_its_own_children() {
        let mut child = Command::new("sleep").arg("5").spawn().unwrap();
        assert!(children_of(std::process::id()).contains(&child.id()));
        assert!(matches!(state(child.id()), Some('S' | 'R')));
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(state(child.id()), None);
    }
}
