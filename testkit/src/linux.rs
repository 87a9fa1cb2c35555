//! The helpers that look at processes through /proc (Linux only).

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread::{self, sleep};
use std::time::{Duration, Instant};

use crate::assert_written;

/// The environment variable that tags every process of a run.
const RUN_TAG: &str = "TESTKIT_RUN";

/// No run in a test may take longer than this: past it the test fails as hung.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// How long a run's workers may outlive its parent: the lessons promise 1 s,
/// and a loaded test machine gets a second more.
pub const GONE_WITHIN: Duration = Duration::from_secs(2);

/// Runs `bin` with `args` to the end and returns what it printed.
pub fn run(bin: &str, args: &[&str]) -> Output {
    Started::new(bin, args, &[]).finish()
}

/// Runs `bin` with `args` to the end, with `TIMING_RECORD` naming a new file
/// for the timelines it records; returns what it printed and those
/// timelines (the file is removed).
pub fn run_recorded(bin: &str, args: &[&str]) -> (Output, Vec<crate::Recorded>) {
    let path = record_file();
    let output = Started::new(bin, args, &[("TIMING_RECORD", &path)]).finish();
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    (output, crate::recorded(&text))
}

/// Runs `bin` with its temp dir set to `tmp` (to check it leaves nothing there).
pub fn run_with_tmp(bin: &str, args: &[&str], tmp: &Path) -> Output {
    Started::new(bin, args, &[("TMPDIR", tmp)]).finish()
}

/// Every thread start fails, and nothing else does: a stack larger than any
/// address space. (`ulimit -v` also makes small allocations fail at random,
/// on which std itself aborts.) For `run_limited`.
pub const NO_THREADS: &str = "export RUST_MIN_STACK=1000000000000000";

/// Runs `bin` under `sh -c 'LIMITS; exec bin args'`, e.g. `ulimit -v 150000`.
pub fn run_limited(limits: &str, bin: &str, args: &[&str]) -> Output {
    let script = format!("{limits}; exec \"$0\" \"$@\"");
    let mut sh_args = vec!["-c", &script, bin];
    sh_args.extend_from_slice(args);
    Started::new("sh", &sh_args, &[]).finish()
}

/// Runs `bin` with its stdout going to `/dev/full`, where every write fails.
pub fn run_into_full_disk(bin: &str, args: &[&str]) -> Output {
    run_into_full_disk_with_tmp(bin, args, &std::env::temp_dir())
}

/// As `run_into_full_disk`, with the temp dir set to `tmp`.
pub fn run_into_full_disk_with_tmp(bin: &str, args: &[&str], tmp: &Path) -> Output {
    let full = std::fs::File::create("/dev/full").expect("/dev/full exists");
    let mut command = Command::new(bin);
    command.args(args).env("TMPDIR", tmp).stdin(Stdio::null()).stdout(Stdio::from(full));
    Started::spawn(command).finish()
}

/// Runs `bin` (a hidden `--worker` used by hand) with `input` as its stdin,
/// a file, so that a worker that maps its stdin can. The run must end within 10 s.
pub fn run_with_input(bin: &str, args: &[&str], input: &[u8], dir: &Path) -> Output {
    let path = dir.join("input");
    std::fs::write(&path, input).expect("the input file can be written");
    let file = std::fs::File::options().read(true).write(true).open(&path);
    let stdin = Stdio::from(file.expect("the input file can be opened"));
    Started::with_stdio(bin, args, stdin, Stdio::piped()).finish_within(Duration::from_secs(10))
}

/// A tmpfs of one page, filled up, mounted at `dir`: a temp dir with no room
/// left. Needs root; `None` (and a note) where mounting is not allowed.
pub fn full_temp_dir(dir: &Path) -> Option<FullDir> {
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4k", "tmpfs"])
        .arg(dir)
        .stderr(Stdio::null())
        .status();
    if !mounted.is_ok_and(|status| status.success()) {
        eprintln!("note: cannot mount a tmpfs here (not root?): the full-disk check is skipped");
        return None;
    }
    let full = FullDir(dir.to_owned());
    let _ = std::fs::write(dir.join("fill"), vec![0; 8192]); // fails once full
    Some(full)
}

/// A mounted full tmpfs; unmounted when dropped.
#[derive(Debug)]
pub struct FullDir(PathBuf);

impl Drop for FullDir {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// `bin args | head -1`: reads the first line, closes the pipe, waits for the
/// end. Returns that line and the output (its stdout is empty: `head` took it).
pub fn run_into_head(bin: &str, args: &[&str]) -> (String, Output) {
    let mut run = Started::new(bin, args, &[]);
    let stdout = run.stdout.take().expect("stdout is read by lines here");
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).expect("the first line can be read");
    // The pipe is closed here, as `head` closes it after its line.
    (first, run.finish())
}

/// A lesson's program started in a process group of its own, as a shell
/// starts a job, so that `interrupt` reaches it as Ctrl-C would. Every
/// process of the run carries a tag in its environment, so that its workers
/// are found even in groups of their own and after the parent has died.
///
/// The group holds one more process, an idle `sleep`: the anchor, which
/// stands for `cargo run`, the lesson's parent in a terminal. Without it, a
/// killed parent would orphan the group, and the kernel hangs up (SIGHUP,
/// then SIGCONT) a stopped process in an orphaned group: a worker left in
/// its parent's group would then die in a test as it does not in a terminal.
#[derive(Debug)]
pub struct Started {
    child: Child,
    anchor: Child,
    stdout: Option<ChildStdout>,
    stderr: Receiver<Vec<u8>>,
}

impl Started {
    pub fn new(bin: &str, args: &[&str], env: &[(&str, &Path)]) -> Started {
        let mut command = Command::new(bin);
        command.args(args).stdin(Stdio::null()).stdout(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        Started::spawn(command)
    }

    fn with_stdio(bin: &str, args: &[&str], stdin: Stdio, stdout: Stdio) -> Started {
        let mut command = Command::new(bin);
        command.args(args).stdin(stdin).stdout(stdout);
        Started::spawn(command)
    }

    fn spawn(mut command: Command) -> Started {
        let anchor = Command::new("sleep")
            .arg("100000")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("sleep starts");
        let pgid = i32::try_from(anchor.id()).expect("pids fit in i32");
        // Every process of the run carries this tag: workers lead process
        // groups of their own, and outlive their parent if anything fails.
        command.env(RUN_TAG, anchor.id().to_string());
        command.stderr(Stdio::piped()).process_group(pgid);
        // A test started in the background by a script ignores SIGINT, and
        // its children would inherit that: give them Ctrl-C's usual effect.
        // SAFETY: runs between fork and exec; signal(2) is async-signal-safe
        // and touches no memory of ours.
        unsafe {
            command.pre_exec(|| {
                libc::signal(libc::SIGINT, libc::SIG_DFL);
                Ok(())
            });
        }
        let mut child = command.spawn().expect("the lesson's binary starts");
        let stdout = child.stdout.take();
        // Read stderr as it comes: a worker that holds it open must not hang us.
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let (send, receive) = mpsc::channel();
        thread::spawn(move || {
            let mut text = Vec::new();
            let _ = stderr.read_to_end(&mut text);
            let _ = send.send(text);
        });
        Started { child, anchor, stdout, stderr: receive }
    }

    /// The run's process group.
    pub fn pgid(&self) -> u32 {
        self.anchor.id()
    }

    /// The live processes of the run: its parent and every worker.
    fn left(&self) -> Vec<u32> {
        let tag = format!("{RUN_TAG}={}", self.anchor.id());
        let tagged = |pid: u32| {
            let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            environ.split(|&b| b == 0).any(|var| var == tag.as_bytes())
        };
        processes()
            .into_iter()
            .filter(|&pid| state(pid).is_some_and(|s| s != 'Z') && tagged(pid))
            .collect()
    }

    /// Kills whatever is left of the run, so that a failing test leaves nothing.
    fn kill_all(&self) {
        kill_group(self.pgid());
        for pid in self.left() {
            kill(pid);
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Catches `count` of the program's workers: waits for each to run and
    /// stops it there (`kill -STOP`), then returns their pids. A parent waits
    /// for every worker, so while one is stopped the run cannot end: what the
    /// test does next, it does to a run in progress, however fast or busy the
    /// machine. `None` if the run could not be caught that way (it ended, or
    /// a worker ended before it was caught): `start_caught` then runs it again.
    /// A worker counts once it runs with `--worker`: before its exec, a child
    /// still shares its parent's command line.
    pub fn catch_workers(&mut self, count: usize) -> Option<Vec<u32>> {
        match self.catch_within(count, DEADLINE) {
            Caught::All(workers) => Some(workers),
            Caught::Ended | Caught::Reaped(_) => None,
            Caught::Only(_) => panic!("no {count} workers appeared within {DEADLINE:?}"),
        }
    }

    /// As `catch_workers`, waiting at most `limit` for the workers.
    pub fn catch_within(&mut self, count: usize, limit: Duration) -> Caught {
        let start = Instant::now();
        let mut caught: Vec<u32> = Vec::new();
        // A worker may start, answer and be reaped between two looks: its
        // trace is the parent's page faults of reaped children (cminflt),
        // which only grow. Counted from the first catch on.
        let parent = self.pid();
        let reaped = || stat_field(parent, 8).and_then(|f| f.parse::<u64>().ok());
        let mut reaped_before = None;
        // A run that cannot be caught whole goes on: the workers held so far
        // are let go, so that it can end by itself.
        let ended = |caught: &[u32]| {
            caught.iter().for_each(|&pid| _ = resume(pid));
            Caught::Ended
        };
        while start.elapsed() < limit {
            if self.child.try_wait().expect("try_wait works").is_some() {
                return ended(&caught);
            }
            if reaped_before.is_some() && reaped() > reaped_before {
                return Caught::Reaped(caught); // another worker ran meanwhile
            }
            for pid in children_of(self.pid()) {
                if state(pid) == Some('Z') {
                    // A worker that ended before it was seen (its command
                    // line is gone with it): the run cannot be caught whole.
                    return ended(&caught);
                }
                if caught.len() == count || caught.contains(&pid) || !is_worker(pid) {
                    continue;
                }
                stop(pid);
                // Stopped, or it had already ended: then this run is no use.
                loop {
                    match state(pid) {
                        Some('T') => {
                            caught.push(pid);
                            break;
                        }
                        Some('Z') | None => return ended(&caught),
                        Some(_) => sleep(Duration::from_micros(100)),
                    }
                }
                if caught.len() == 1 {
                    match reaped() {
                        // One had come and gone before: which came first is unknown.
                        Some(0) => reaped_before = Some(0),
                        _ => return ended(&caught),
                    }
                }
            }
            if caught.len() == count {
                return Caught::All(caught);
            }
            sleep(Duration::from_micros(200));
        }
        Caught::Only(caught)
    }

    /// Ends a run that could not be used: kills all of it and waits.
    fn abandon(mut self) {
        self.kill_all();
        let _ = self.child.wait();
    }

    /// Reads the program's output, line by line, until a line that starts
    /// with `prefix`, and returns it; `None` if the output ended first. A
    /// run that prints no such line within `DEADLINE` is killed.
    pub fn wait_for_line(&mut self, prefix: &str) -> Option<String> {
        let pgid = self.pgid();
        let (done, watch) = mpsc::channel::<()>();
        thread::spawn(move || {
            if watch.recv_timeout(DEADLINE) == Err(mpsc::RecvTimeoutError::Timeout) {
                kill_group(pgid);
            }
        });
        let stdout = self.stdout.as_mut().expect("stdout is piped");
        let found = loop {
            // Byte by byte, so that nothing after the line is taken from `finish`.
            let mut line = Vec::new();
            let mut byte = [0];
            while matches!(stdout.read(&mut byte), Ok(1)) && byte[0] != b'\n' {
                line.push(byte[0]);
            }
            let line = String::from_utf8_lossy(&line).into_owned();
            if line.starts_with(prefix) {
                break Some(line);
            }
            if byte[0] != b'\n' {
                break None; // the output has ended
            }
        };
        let _ = done.send(());
        found
    }

    /// Ctrl-C in a terminal: SIGINT to the run's foreground process group.
    pub fn interrupt(&self) {
        let group = -i32::try_from(self.pgid()).expect("pids fit in i32");
        assert!(signal(libc::SIGINT, group), "the run had already ended");
    }

    /// Waits for the end, or fails the test if it hangs; then returns the
    /// output. Stdout is read to its end, unless a test took it.
    pub fn finish(self) -> Output {
        self.finish_within(DEADLINE)
    }

    /// As `finish`, but the run must end within `limit`.
    pub fn finish_within(self, limit: Duration) -> Output {
        self.finish_or(limit, "the program hung")
    }

    /// As `finish_within`, failing with `hung` (and the limit) if it hangs.
    fn finish_or(mut self, limit: Duration, hung: &str) -> Output {
        let start = Instant::now();
        let mut stdout = Vec::new();
        if let Some(mut out) = self.stdout.take() {
            let (send, receive) = mpsc::channel();
            thread::spawn(move || {
                let mut text = Vec::new();
                let _ = out.read_to_end(&mut text);
                let _ = send.send(text);
            });
            stdout = receive.recv_timeout(limit).unwrap_or_default();
        }
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait works") {
                break status;
            }
            if start.elapsed() > limit {
                let _ = self.child.kill();
                self.kill_all();
                panic!("{hung}: still running after {limit:?}");
            }
            sleep(Duration::from_millis(2));
        };
        let stderr = self.stderr_within(start, limit, status);
        Output { status, stdout, stderr }
    }

    fn stderr_within(&self, start: Instant, limit: Duration, status: ExitStatus) -> Vec<u8> {
        let left = limit.saturating_sub(start.elapsed()) + GONE_WITHIN;
        match self.stderr.recv_timeout(left) {
            Ok(text) => text,
            Err(_) => {
                self.kill_all();
                panic!("a worker still holds stderr open after the parent ended ({status})");
            }
        }
    }

    /// `kill -9` the parent alone, as an IDE's stop button or the OOM killer
    /// does, and return its stderr once every process of the run is gone.
    /// Fails if any worker is still running `GONE_WITHIN` later.
    pub fn kill_parent(self) -> String {
        self.kill_parent_within(GONE_WITHIN)
    }

    /// As `kill_parent`, with workers given `limit` to be gone.
    fn kill_parent_within(mut self, limit: Duration) -> String {
        kill(self.pid());
        let _ = self.child.wait();
        drop(self.stdout.take()); // as a terminal would, keep nothing waiting on it
        let start = Instant::now();
        while !self.left().is_empty() {
            if start.elapsed() > limit {
                let left = self.left();
                self.kill_all();
                panic!("workers {left:?} outlived their parent by {limit:?}");
            }
            sleep(Duration::from_millis(5));
        }
        let stderr = self.stderr.recv_timeout(limit).unwrap_or_default();
        String::from_utf8_lossy(&stderr).into_owned()
    }
}

impl Drop for Started {
    /// However a test ends, a failed assertion included, nothing of its run
    /// is left: the parent, a stopped worker, the anchor.
    fn drop(&mut self) {
        self.kill_all();
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Killed is not yet gone: wait (a little) until the kernel is done.
        let start = Instant::now();
        while !self.left().is_empty() && start.elapsed() < GONE_WITHIN {
            sleep(Duration::from_millis(1));
        }
        let _ = self.anchor.kill();
        let _ = self.anchor.wait();
    }
}

/// Is `pid` a lesson's worker? It runs with `--worker` (before its exec, a
/// child still shares its parent's command line).
fn is_worker(pid: u32) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .is_ok_and(|cmdline| cmdline.split(|&b| b == 0).any(|arg| arg == b"--worker"))
}

/// What `Started::catch_within` found.
#[derive(Debug, PartialEq)]
pub enum Caught {
    /// Every worker asked for, each stopped where it was.
    All(Vec<u32>),
    /// The run, or a worker, ended before they were all caught (those
    /// caught are running again).
    Ended,
    /// Only these were caught (and stopped) within the time given.
    Only(Vec<u32>),
    /// These were caught, and meanwhile another worker started and ended
    /// (it ran while they were held, unseen between two looks).
    Reaped(Vec<u32>),
}

/// Starts `bin args` and catches `count` of its workers (see
/// `Started::catch_workers`): the run, and the workers, stopped. A run that
/// could not be caught (on a fast machine a worker may end before it is
/// seen) is ended and started again, and said so on the test's output.
pub fn start_caught(
    bin: &str,
    args: &[&str],
    env: &[(&str, &Path)],
    count: usize,
) -> (Started, Vec<u32>) {
    for attempt in 1..=20 {
        let mut run = Started::new(bin, args, env);
        if let Some(workers) = run.catch_workers(count) {
            return (run, workers);
        }
        println!("note: attempt {attempt}: the run ended before {count} workers were caught");
        run.abandon();
    }
    panic!("20 runs of {bin} {args:?} all ended before {count} workers were caught");
}

/// How long a run of a student's answer may take in an exercise's tests
/// before it counts as hung: their runs take well under a second idle, and
/// a right but slow answer (one that yields between a get and its set)
/// took 25 s with both cores of a 2-core machine busy.
pub const ANSWER_DEADLINE: Duration = Duration::from_secs(90);

/// For an exercise's tests: runs `bin args` to its end; fails naming
/// `function` if it hangs (a lock taken twice, a worker never told to end).
pub fn run_answer(bin: &str, args: &[&str], function: &str) -> Output {
    run_answer_recorded(bin, args, function).0
}

/// As `run_answer`, and returns the timelines the run recorded too.
pub fn run_answer_recorded(
    bin: &str,
    args: &[&str],
    function: &str,
) -> (Output, Vec<crate::Recorded>) {
    let hung = format!(
        "{function} hung: still running after {ANSWER_DEADLINE:?} (a lock taken twice, or a \
         worker never told to end?)"
    );
    let path = record_file();
    let output =
        Started::new(bin, args, &[("TIMING_RECORD", &path)]).finish_or(ANSWER_DEADLINE, &hung);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    (output, crate::recorded(&text))
}

/// A new file name for a run's record, in the temp dir.
fn record_file() -> PathBuf {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("testkit-record-{}-{n}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// For an exercise's tests: runs an answer (`bin args`), fails naming
/// `function` if it hangs or fails, and judges what its workers recorded
/// with `judge`, whose `Err` fails the test in its words. A run whose
/// workers never worked at the same time (`Ok(false)`) is run again, and
/// said so: a busy machine may make them take turns. A right answer shows
/// them at once in one run of five; on one CPU that is not asked.
pub fn judge_answer(
    bin: &str,
    args: &[&str],
    function: &str,
    judge: impl Fn(&[crate::Recorded]) -> Result<bool, String>,
) {
    let cpus = thread::available_parallelism().map_or(1, std::num::NonZero::get);
    for attempt in 1..=5 {
        let (output, recorded) = run_answer_recorded(bin, args, function);
        assert_written(&output, function);
        assert!(!recorded.is_empty(), "{function}: the run recorded no timeline");
        match judge(&recorded) {
            Err(why) => panic!("{why}"),
            Ok(true) => return,
            Ok(false) if cpus == 1 => {
                println!("note: one CPU: {function}'s workers could not work at the same time");
                return;
            }
            Ok(false) => println!("note: run {attempt}: no two workers worked at once; again"),
        }
    }
    panic!(
        "{function}: in 5 runs, no two workers ever worked at the same time: start every \
         worker before waiting for any, and keep them busy together"
    );
}

/// For an exercise's tests: `judge_answer` with `judge` of the run's one
/// timeline against `expect` (which names the function).
pub fn judge_run(bin: &str, args: &[&str], expect: &crate::Expect) {
    judge_answer(bin, args, expect.function, |runs| crate::judge(&runs[0], expect));
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

/// `kill -STOP pid`: the process stops where it is, as if very busy.
pub fn stop(pid: u32) -> bool {
    signal(libc::SIGSTOP, i32::try_from(pid).expect("pids fit in i32"))
}

/// `kill -CONT pid`: a stopped process goes on.
pub fn resume(pid: u32) -> bool {
    signal(libc::SIGCONT, i32::try_from(pid).expect("pids fit in i32"))
}

/// `kill -9 -pgid`: whatever is left of a run, so that a failing test leaves nothing.
fn kill_group(pgid: u32) {
    signal(libc::SIGKILL, -i32::try_from(pgid).expect("pids fit in i32"));
}

/// Kills the parent of a run of `bin args` after each of `delays`, from its
/// very first instructions to the middle of its work, and checks every time
/// that all its workers are gone within `GONE_WITHIN`, without a word. Two
/// runs at a time, each killed at its own moment: the test takes half as long.
pub fn assert_no_worker_outlives_its_parent(bin: &str, args: &[&str], delays_ms: &[u64]) {
    let kill_after = |delay: u64| {
        let run = Started::new(bin, args, &[]);
        sleep(Duration::from_millis(delay));
        let stderr = run.kill_parent();
        assert_eq!(stderr, "", "killed after {delay} ms, the workers said something");
    };
    thread::scope(|s| {
        let other = s.spawn(|| delays_ms.iter().skip(1).step_by(2).for_each(|&d| kill_after(d)));
        delays_ms.iter().step_by(2).for_each(|&d| kill_after(d));
        if let Err(panic) = other.join() {
            std::panic::resume_unwind(panic);
        }
    });
}

/// Live (not yet exited) processes of process group `pgid`, read from /proc.
pub fn group(pgid: u32) -> Vec<u32> {
    processes()
        .into_iter()
        .filter(|&pid| stat_field(pid, 2).and_then(|g| g.parse().ok()) == Some(pgid))
        .filter(|&pid| state(pid).is_some_and(|s| s != 'Z'))
        .collect()
}

/// The pids whose parent is `parent`, zombies included, read from /proc:
/// from each of its threads' `children` list, a few small files (kernels
/// built without CONFIG_PROC_CHILDREN have none: then from every process's
/// stat). The tests look many times a second: reading every process's stat
/// each time cost a suite run 5 CPU-seconds more, taken from the programs
/// under test, and 2 s more in all. The kernel's list may leave out a
/// child while another child exits (proc(5)): every caller looks again a
/// moment later, and each child it looks for lives longer than that.
pub fn children_of(parent: u32) -> Vec<u32> {
    let lists = std::fs::read_dir(format!("/proc/{parent}/task")).ok().and_then(|threads| {
        threads
            .map(|t| std::fs::read_to_string(t.ok()?.path().join("children")).ok())
            .collect::<Option<Vec<String>>>()
    });
    match lists {
        Some(lists) => {
            lists.iter().flat_map(|l| l.split_whitespace()).filter_map(|p| p.parse().ok()).collect()
        }
        None => processes()
            .into_iter()
            .filter(|&pid| stat_field(pid, 1).and_then(|p| p.parse().ok()) == Some(parent))
            .collect(),
    }
}

fn processes() -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok()).collect()
}

/// The process state letter (R, S, Z, ...), or `None` once the pid is gone.
pub fn state(pid: u32) -> Option<char> {
    stat_field(pid, 0)?.chars().next()
}

/// Field `i` after the command name in /proc/PID/stat (0 = state, 1 = ppid, 2 = pgrp).
fn stat_field(pid: u32, i: usize) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may itself contain spaces.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(i).map(str::to_owned)
}

/// Asserts that none of `pids` still runs once the run is over. A worker
/// whose parent died is adopted and reaped by init; until then it is a zombie,
/// which has already exited, so that counts as gone.
pub fn assert_all_gone(pids: &[u32]) {
    let start = Instant::now();
    for &pid in pids {
        while state(pid).is_some_and(|s| s != 'Z') {
            assert!(start.elapsed() < GONE_WITHIN, "worker {pid} outlived the run");
            sleep(Duration::from_millis(5));
        }
    }
}

/// Writes `text` into the stdout pipe of process `pid` from outside, as
/// `echo 7 > /proc/PID/fd/1` does: a worker seems to answer more than asked.
pub fn write_to_stdout_of(pid: u32, text: &str) {
    use std::io::Write;
    let mut pipe = std::fs::OpenOptions::new()
        .write(true)
        .open(format!("/proc/{pid}/fd/1"))
        .expect("the worker's stdout can be opened");
    pipe.write_all(text.as_bytes()).expect("the pipe takes the text");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_its_own_children() {
        let mut child = Command::new("sleep").arg("5").spawn().unwrap();
        assert!(children_of(std::process::id()).contains(&child.id()));
        assert!(state(child.id()).is_some_and(|s| s != 'Z'), "alive");
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(state(child.id()), None);
    }

    #[test]
    fn a_group_outlives_its_leader_and_is_found() {
        // sh starts a sleep in the background and dies: the sleep survives.
        let run = Started::new("sh", &["-c", "sleep 30 & sleep 30"], &[]);
        let pgid = run.pgid();
        while group(pgid).len() < 3 {
            sleep(Duration::from_millis(1));
        }
        let limit = Duration::from_millis(200); // the sleep lasts 30 s
        let result = std::panic::catch_unwind(|| run.kill_parent_within(limit));
        assert!(result.is_err(), "the orphaned sleep was noticed");
        let start = Instant::now();
        while !group(pgid).is_empty() {
            assert!(start.elapsed() < GONE_WITHIN, "and killed, so nothing is left");
            sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn caught_workers_are_stopped_and_keep_the_run_going() {
        let worker = "sh -c 'sleep 30; :' w --worker";
        let script = format!("{worker} & {worker} & wait");
        let (run, workers) = start_caught("sh", &["-c", &script], &[], 2);
        assert_eq!(workers.len(), 2);
        for &pid in &workers {
            assert_eq!(state(pid), Some('T'));
        }
        run.abandon();
    }

    #[test]
    fn a_run_dropped_by_a_failing_test_leaves_nothing() {
        let worker = "sh -c 'sleep 30; :' w --worker";
        let script = format!("{worker} & {worker} & wait");
        let (run, workers) = start_caught("sh", &["-c", &script], &[], 2);
        let parent = run.pid();
        let result = std::panic::catch_unwind(move || {
            let _run = run;
            panic!("an assertion failed");
        });
        assert!(result.is_err());
        for pid in workers.into_iter().chain([parent]) {
            assert!(state(pid).is_none_or(|s| s == 'Z'), "{pid} is left");
        }
    }

    #[test]
    fn a_run_that_cannot_be_caught_whole_is_let_go() {
        // A child reaped before the worker is caught (here `sleep 0.05`):
        // which came first is unknown, so the run is not used, and the
        // worker caught is running again: the run ends by itself.
        let worker = "sh -c 'sleep 0.1; :' w --worker";
        let script = format!("sleep 0.05; {worker} & wait");
        let mut run = Started::new("sh", &["-c", &script], &[]);
        assert_eq!(run.catch_within(2, Duration::from_secs(5)), Caught::Ended);
        assert!(run.finish_within(Duration::from_secs(10)).status.success());
    }

    #[test]
    fn workers_started_one_after_another_are_caught_one_at_a_time() {
        let worker = "sh -c 'sleep 0.2; :' w --worker";
        let one_by_one = format!("{worker}; {worker}; {worker}");
        let result = std::panic::catch_unwind(|| {
            let mut run = Started::new("sh", &["-c", &one_by_one], &[]);
            run.catch_within(2, Duration::from_millis(500))
        });
        assert!(matches!(result, Ok(Caught::Only(caught)) if caught.len() == 1));
    }

    #[test]
    fn ctrl_c_reaches_a_program_even_where_sigint_is_ignored() {
        // As in a test run started with `&` from a script. This test binary
        // sends no SIGINT to itself: only to the groups it starts.
        // SAFETY: signal(2) with integer arguments touches no memory.
        unsafe { libc::signal(libc::SIGINT, libc::SIG_IGN) };
        let run = Started::new("sleep", &["30"], &[]);
        // Until its exec, the child is this program, with SIGINT ignored.
        let comm = format!("/proc/{}/comm", run.pid());
        while std::fs::read_to_string(&comm).is_ok_and(|name| name != "sleep\n") {
            sleep(Duration::from_millis(1));
        }
        run.interrupt();
        let output = run.finish_within(Duration::from_secs(10));
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(output.status.signal(), Some(libc::SIGINT));
    }

    #[test]
    fn head_closes_the_pipe_after_one_line() {
        let (first, output) = run_into_head("sh", &["-c", "echo one; sleep 0.2; echo two"]);
        assert_eq!(first, "one\n");
        // sh's echo gets EPIPE (sh ignores nothing: SIGPIPE kills it).
        assert!(!output.status.success());
    }
}
