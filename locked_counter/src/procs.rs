//! Plumbing, not the lesson: a reader can skip this file. It is the same,
//! byte for byte, in every member that starts worker processes (a check
//! fails when a copy drifts), so that each member can be copied on its own.
//!
//! - `Procs`: watch the workers a lesson has spawned, hear whichever one
//!   answers or fails first, and kill and reap every one of them on any way
//!   out; `end_with_parent` goes on each worker's command before its spawn.
//! - `watch_parent` and `end_with_parent`: no worker outlives its parent,
//!   however the parent ends.
//! - `end_on_panic`: how `main` begins (a panic anywhere ends the program in
//!   one line); `exit`: how `main` ends (one line and exit code 1 on an
//!   error, quiet under `| head`); `number`: the whole numbers the flags
//!   take; `fill`.
#![allow(dead_code)] // the same file everywhere: not every member uses every part

use std::io::{self, BufRead, BufReader, Read, Write};
use std::ops::RangeInclusive;
use std::process::{Child, Command, ExitCode};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

use anyhow::{Context, Result, bail};

/// The worker processes of a run (`procs` in the Python). A thread per
/// worker reads its stdout and passes each line on as it comes, so the parent
/// hears from whichever worker answers, or ends, first. Dropping `Procs` kills
/// and reaps every worker still running: whatever goes wrong, none is left.
pub struct Procs {
    pub children: Vec<Child>,
    /// The answers each worker still owes: ending before it gives them is a
    /// failure, whatever its exit code.
    owed: Vec<usize>,
    running: usize,
    news: Receiver<(usize, News)>,
    sender: Sender<(usize, News)>,
}

/// What a worker's reader thread passes on.
enum News {
    /// A line of its stdout.
    Line(String),
    /// Its stdout has closed: it has ended, having said this on stderr.
    Ended(String),
}

impl Procs {
    pub fn new() -> Procs {
        let (sender, news) = mpsc::channel();
        Procs { children: Vec::new(), owed: Vec::new(), running: 0, news, sender }
    }

    /// Watches `child`, a worker just spawned with its stdout and stderr
    /// piped, as the next worker, which owes `answers` lines on its stdout;
    /// its stderr comes back to the parent, which reports it.
    pub fn watch(&mut self, mut child: Child, answers: usize) -> Result<&mut Child> {
        let i = self.children.len();
        let stdout = child.stdout.take().expect("the worker's stdout is piped");
        let mut stderr = child.stderr.take().expect("the worker's stderr is piped");
        self.children.push(child);
        self.owed.push(answers);
        let sender = self.sender.clone();
        thread::Builder::new()
            .spawn(move || {
                // Whole lines only: a worker killed in the middle of an
                // answer leaves a piece without its newline, which is none.
                let mut stdout = BufReader::new(stdout);
                let mut line = String::new();
                while stdout.read_line(&mut line).is_ok_and(|_| line.ends_with('\n')) {
                    let answer = line.trim_end_matches(['\n', '\r']).to_string();
                    let _ = sender.send((i, News::Line(answer)));
                    line.clear();
                }
                let mut said = Vec::new();
                let _ = stderr.read_to_end(&mut said);
                let said = String::from_utf8_lossy(&said).into_owned();
                let _ = sender.send((i, News::Ended(said)));
            })
            .context("cannot start a thread to read a worker's answers")?;
        self.running += 1;
        Ok(&mut self.children[i])
    }

    /// Sends worker `i` one line on its stdin, which it owes an answer to.
    pub fn tell(&mut self, i: usize, line: &str) {
        self.owed[i] += 1;
        let stdin = self.children[i].stdin.as_mut().expect("stdin is piped");
        // A worker that has died cannot take it: its end is reported instead.
        let _ = writeln!(stdin, "{line}");
    }

    /// The next line any worker answers, and which worker answered it. A
    /// worker that fails first is an error that names it and says how.
    pub fn next_line(&mut self) -> Result<(usize, String)> {
        while self.running > 0 {
            match self.news.recv().expect("Procs holds a sender") {
                (i, News::Line(line)) if self.owed[i] > 0 => {
                    self.owed[i] -= 1;
                    return Ok((i, line));
                }
                (i, News::Line(line)) => bail!("worker {i} answered {line:?}, unasked"),
                (i, News::Ended(said)) => self.ended(i, &said)?,
            }
        }
        bail!("the workers ended without answering")
    }

    /// `for p in procs: p.join()`, in whatever order they end. Answers still
    /// owed are taken and dropped (a last `done` says a worker finished its
    /// work); one that fails, or prints anything more, ends the run at once.
    pub fn join(&mut self) -> Result<()> {
        while self.running > 0 {
            match self.news.recv().expect("Procs holds a sender") {
                (i, News::Line(_)) if self.owed[i] > 0 => self.owed[i] -= 1,
                (i, News::Line(line)) => bail!("worker {i} answered {line:?}, unasked"),
                (i, News::Ended(said)) => self.ended(i, &said)?,
            }
        }
        Ok(())
    }

    /// Worker `i` has ended: reap it. It failed if its exit says so, or if it
    /// still owed an answer; its own words, if it said any, say why.
    fn ended(&mut self, i: usize, said: &str) -> Result<()> {
        self.running -= 1;
        let status = self.children[i].wait();
        let status = status.with_context(|| format!("cannot wait for worker {i}"))?;
        if status.success() && self.owed[i] == 0 {
            return Ok(());
        }
        // Its `error: worker: ...` becomes part of the parent's one line.
        let said = said.trim().trim_start_matches("error: ");
        let said = said.trim_start_matches("worker: ").replace('\n', "; ");
        match status.success() {
            _ if !said.is_empty() => bail!("worker {i} failed: {said}"),
            false => bail!("worker {i} failed: {status}"),
            true => bail!("worker {i} failed: it ended without its answer ({status})"),
        }
    }
}

impl Drop for Procs {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill(); // Ok(()) for a child that has already exited
            let _ = child.wait();
        }
    }
}

/// Reads until `buf` is full or the input ends; returns how many bytes it read.
pub fn fill(input: &mut impl Read, buf: &mut [u8]) -> Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err).context("worker: cannot read its input"),
        }
    }
    Ok(filled)
}

/// Each worker leads a process group of its own (on Unix): when its parent
/// ends, the group is orphaned, and the kernel wakes and hangs up (SIGCONT,
/// SIGHUP) a worker stopped in it, which cannot look for itself.
#[cfg(unix)]
pub fn end_with_parent(command: &mut Command) {
    std::os::unix::process::CommandExt::process_group(command, 0);
}

#[cfg(not(unix))]
pub fn end_with_parent(_command: &mut Command) {}

/// A worker's first act: make sure it ends, quietly, as soon as its parent
/// has gone (killed, Ctrl-C, stopped from an IDE), whatever it is doing. On
/// Linux the kernel kills it then (`PR_SET_PDEATHSIG`); elsewhere a thread
/// looks every 50 ms. The parent passed its pid, so a worker whose parent
/// died before it even got here sees that at the first look. (Linux sends
/// the signal when the *thread* that started the worker ends: start workers
/// from `main`'s thread, which ends only with the program.)
#[cfg(target_os = "linux")]
pub fn watch_parent(parent: u32) -> Result<()> {
    // SAFETY: prctl with these two integer arguments touches no memory.
    let set = unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
    if set != 0 {
        return Err(io::Error::last_os_error())
            .context("worker: cannot ask to end with its parent");
    }
    if std::os::unix::process::parent_id() != parent {
        std::process::exit(1);
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
pub fn watch_parent(parent: u32) -> Result<()> {
    thread::Builder::new()
        .spawn(move || {
            while is_parent(parent) {
                thread::sleep(std::time::Duration::from_millis(50));
            }
            std::process::exit(1);
        })
        .context("worker: cannot start a thread to watch its parent")?;
    Ok(())
}

/// Is `parent` still this process's parent? An orphan gets a new one.
#[cfg(all(unix, not(target_os = "linux")))]
fn is_parent(parent: u32) -> bool {
    std::os::unix::process::parent_id() == parent
}

/// Is the parent still running? (Windows keeps no parent for a process.)
#[cfg(windows)]
fn is_parent(parent: u32) -> bool {
    use windows_sys::Win32::Foundation::{CloseHandle, WAIT_TIMEOUT};
    use windows_sys::Win32::System::Threading::{
        OpenProcess, PROCESS_SYNCHRONIZE, WaitForSingleObject,
    };
    // SAFETY: the handle is checked before use and closed once, here.
    unsafe {
        let process = OpenProcess(PROCESS_SYNCHRONIZE, 0, parent);
        if process.is_null() {
            return false; // gone (or never ours)
        }
        let running = WaitForSingleObject(process, 0) == WAIT_TIMEOUT;
        CloseHandle(process);
        running
    }
}

/// How `main` begins: from now on a panic in any thread ends the whole
/// program at once, with one line `error: ...` and exit code 1, and so its
/// workers with it (a worker's line becomes part of its parent's). Std
/// panics inside a thread it has just started when memory runs out; the
/// default hook would end only that thread, leaving the run waiting for an
/// answer that cannot come, and under `RUST_BACKTRACE=1` its backtrace can
/// hang the program for good when no memory is left.
pub fn end_on_panic() {
    std::panic::set_hook(Box::new(|info| {
        static FIRST: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _first = FIRST.lock(); // a second panicking thread waits here
        let payload = info.payload();
        let message = payload.downcast_ref::<&str>().copied();
        let message = message.or(payload.downcast_ref::<String>().map(String::as_str));
        let message = message.unwrap_or("a thread panicked");
        let _ = writeln!(io::stderr(), "error: {message}");
        std::process::exit(1);
    }));
}

/// How `main` ends: exit code 0, or one line `error: ...` and exit code 1.
/// A write to a pipe whose reader has gone (`| head`, or a worker's parent)
/// ends quietly, as `seq 10 | head -1` does.
pub fn exit(result: Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(io::stderr(), "error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.downcast_ref::<io::Error>().is_some_and(|err| err.kind() == io::ErrorKind::BrokenPipe)
}

/// A flag's value: a whole number in `range`, with `_` between digits as in
/// Python (`50_000_000`). What it refuses reads as clap's own refusals do.
pub fn number<T: TryFrom<i128>>(s: &str, range: RangeInclusive<i128>) -> Result<T, String> {
    // `_` only between digits, as Python's int() takes it: not `_1`, `1_`, `1__0`.
    let digits = s.trim_start_matches(['-', '+']);
    let between = !digits.starts_with('_') && !digits.ends_with('_') && !s.contains("__");
    let s = if between { s.replace('_', "") } else { s.to_owned() };
    let n: i128 = s.parse().map_err(|err| format!("{err}"))?;
    let refused = format!("{n} is not in {}..={}", range.start(), range.end());
    match range.contains(&n) {
        true => T::try_from(n).map_err(|_| refused),
        false => Err(refused),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_reads_to_the_end_of_the_input() {
        let input: Vec<u8> = (0..20).collect();
        let mut buf = [0; 8];
        let mut reader = &input[..];
        assert_eq!(fill(&mut reader, &mut buf).unwrap(), 8);
        assert_eq!(fill(&mut reader, &mut buf).unwrap(), 8);
        assert_eq!(fill(&mut reader, &mut buf).unwrap(), 4);
        assert_eq!(buf[..4], [16, 17, 18, 19]);
    }

    #[test]
    fn numbers_take_underscores_and_refuse_what_is_out_of_range() {
        let workers = |s| number::<u16>(s, 1..=256);
        assert_eq!(workers("4"), Ok(4));
        assert_eq!(workers("1_0"), Ok(10));
        // Where Python's int() refuses an underscore, so does a flag.
        for misplaced in ["1__0", "_1_0", "1_0_", "-_1"] {
            assert_eq!(workers(misplaced), Err("invalid digit found in string".to_string()));
        }
        assert_eq!(workers("0"), Err("0 is not in 1..=256".to_string()));
        assert_eq!(workers("-1"), Err("-1 is not in 1..=256".to_string()));
        assert!(workers("abc").is_err());
        let seed = |s| number::<u64>(s, 0..=u64::MAX.into());
        assert_eq!(seed("18_446_744_073_709_551_615"), Ok(u64::MAX));
    }

    #[test]
    fn a_panic_in_any_thread_ends_the_program_in_one_line() {
        let name = "a_panic_in_any_thread_ends_the_program_in_one_line";
        if std::env::var_os("PROCS_TEST_PANIC").is_some() {
            // The program this test starts: a thread panics, as std's own
            // thread start does when memory has run out.
            end_on_panic();
            let _ = thread::spawn(|| panic!("cannot go on")).join();
            println!("the program went on after the panic");
            return;
        }
        let exe = std::env::current_exe().unwrap();
        let output = Command::new(exe)
            .args([name, "--nocapture", "--test-threads=1"])
            .env("PROCS_TEST_PANIC", "1")
            .env("RUST_BACKTRACE", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(!stdout.contains("went on"), "{stdout}");
        assert_eq!(String::from_utf8_lossy(&output.stderr), "error: cannot go on\n");
        assert_eq!(output.status.code(), Some(1));
    }

    #[cfg(unix)]
    fn sh(script: &str) -> Child {
        use std::process::Stdio;
        let mut command = Command::new("sh");
        command.args(["-c", script]).stdin(Stdio::piped());
        command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
    }

    #[cfg(unix)]
    #[test]
    fn procs_name_the_worker_that_ends_and_how() {
        let mut procs = Procs::new();
        procs.watch(sh("echo 0 0; exit 3"), 2).unwrap();
        assert_eq!(procs.next_line().unwrap(), (0, "0 0".to_string()));
        let err = procs.next_line().unwrap_err();
        assert_eq!(format!("{err:#}"), "worker 0 failed: exit status: 3");

        let mut procs = Procs::new();
        procs.watch(sh("echo extra"), 0).unwrap();
        let err = procs.join().unwrap_err();
        assert_eq!(format!("{err:#}"), "worker 0 answered \"extra\", unasked");
    }

    #[cfg(unix)]
    #[test]
    fn a_worker_that_ends_owing_an_answer_fails_whatever_its_exit_code() {
        let mut procs = Procs::new();
        procs.watch(sh("sleep 30"), 1).unwrap();
        procs.watch(sh("exit 0"), 1).unwrap();
        let err = procs.next_line().unwrap_err();
        assert_eq!(
            format!("{err:#}"),
            "worker 1 failed: it ended without its answer (exit status: 0)"
        );
        // A worker told a task owes its answer too.
        let mut procs = Procs::new();
        procs.watch(sh("read task"), 0).unwrap();
        procs.tell(0, "1 2");
        let err = procs.next_line().unwrap_err();
        assert!(format!("{err:#}").contains("without its answer"), "{err:#}");
    }

    #[cfg(unix)]
    #[test]
    fn join_takes_the_answers_still_owed_and_fails_a_worker_that_gave_none() {
        let mut procs = Procs::new();
        procs.watch(sh("echo done"), 1).unwrap();
        procs.join().unwrap();
        let mut procs = Procs::new();
        procs.watch(sh("exit 0"), 1).unwrap();
        let err = procs.join().unwrap_err();
        assert!(format!("{err:#}").contains("without its answer"), "{err:#}");
    }

    #[cfg(unix)]
    #[test]
    fn a_workers_own_words_become_part_of_the_parents_one_line() {
        let mut procs = Procs::new();
        procs.watch(sh("echo 'error: worker: cannot do it' >&2; exit 1"), 1).unwrap();
        let err = procs.next_line().unwrap_err();
        assert_eq!(format!("{err:#}"), "worker 0 failed: cannot do it");
    }

    #[cfg(unix)]
    #[test]
    fn a_told_worker_answers_its_line() {
        let mut procs = Procs::new();
        procs.watch(sh("read task; echo \"$task done\""), 0).unwrap();
        procs.tell(0, "7");
        assert_eq!(procs.next_line().unwrap(), (0, "7 done".to_string()));
        drop(procs.children[0].stdin.take());
        procs.join().unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn dropping_procs_kills_and_reaps_every_worker() {
        let mut procs = Procs::new();
        let pid = procs.watch(sh("sleep 30"), 1).unwrap().id();
        drop(procs);
        assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
    }
}
