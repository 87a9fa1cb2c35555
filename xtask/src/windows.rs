//! `cargo xtask windows-check DIR`: every lesson's Windows build, run on
//! Windows as a student runs it, by a program that is a Windows one itself.
//! CI runs both under wine (`.ci/wine`); DIR holds the lessons' `.exe`s.
//!
//! - every lesson with its defaults, with small sizes, and with `--threads`:
//!   the lecture's lines, exact sums and counts (and `SeqCst`'s 0);
//! - a worker ended by `TerminateProcess`, as Task Manager and `taskkill /F`
//!   end one, with exit code 1 and with 0: one line, and exit code 1;
//! - the parent ended that way: every worker gone soon after;
//! - the output cut short through a pipe (a reader that takes one line and
//!   closes it): a quiet end;
//! - no `.tmp*` file left in the temp dir by any of it, after each run.
//!
//! A worker is caught first, as the Linux tests do with `kill -STOP`: once it
//! has reached `main`, its threads are suspended, so that the run cannot end
//! before the check has acted, however slow or fast the machine (wine is
//! slow to start processes).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use windows_sys::Win32::Foundation::{CloseHandle, INVALID_HANDLE_VALUE, WAIT_TIMEOUT};
use windows_sys::Win32::System::Diagnostics::ToolHelp::{
    CreateToolhelp32Snapshot, PROCESSENTRY32W, Process32FirstW, Process32NextW, TH32CS_SNAPPROCESS,
    TH32CS_SNAPTHREAD, THREADENTRY32, Thread32First, Thread32Next,
};
use windows_sys::Win32::System::Threading::{
    OpenProcess, OpenThread, PROCESS_SYNCHRONIZE, PROCESS_TERMINATE, ResumeThread, SuspendThread,
    THREAD_SUSPEND_RESUME, TerminateProcess, WaitForSingleObject,
};

/// The longest any run may take before it counts as hung.
const DEADLINE: Duration = Duration::from_secs(120);

/// Runs every check (of lesson `only`, if given), `repeat` times over,
/// prints a line for each, and fails if any failed.
pub fn check(dir: &Path, only: Option<&str>, repeat: u32) -> Result<()> {
    let before = temp_files()?;
    let mut stdout = std::io::stdout();
    let (mut passed, mut failed) = (0, 0);
    // Every check also finds no new .tmp file left once its run has ended.
    let mut report = |what: String, check: &dyn Fn() -> Result<String>| -> Result<()> {
        let mut result = check();
        // Wine now and then fails to start a process with ERROR_INTERNAL_ERROR
        // (one check, once in 15 runs of them all here), and the lesson says
        // "cannot start a worker: Internal error. (os error 1359)": that
        // check is run again, twice at most, and says so.
        for _ in 0..2 {
            match &result {
                Err(err) if format!("{err:#}").contains("(os error 1359)") => {
                    writeln!(
                        stdout,
                        "note: {what}: wine could not start a process (os error 1359): again"
                    )?;
                    result = check();
                }
                _ => break,
            }
        }
        match result.and_then(|seen| no_temp_file_left(&before).map(|()| seen)) {
            Ok(seen) => {
                passed += 1;
                writeln!(stdout, "ok: {what}: {seen}")?;
            }
            Err(err) => {
                failed += 1;
                writeln!(stdout, "FAILED: {what}: {err:#}")?;
            }
        }
        Ok(())
    };
    // Every lesson (but MPI's) with the runs its Cargo.toml names: with its
    // defaults, small sizes and `--threads`; with two workers kept busy;
    // and, for a lesson with threads only, a short run read one line of.
    let chosen = || {
        let lessons = crate::lessons::all().iter().filter(|l| only.is_none_or(|o| o == l.name));
        lessons.filter_map(|lesson| Some((lesson.name.as_str(), lesson.windows.as_ref()?)))
    };
    let runs = || chosen().flat_map(|(lesson, w)| w.runs.iter().map(move |a| (lesson, a.as_str())));
    let workers = || chosen().filter_map(|(lesson, w)| Some((lesson, w.workers.as_deref()?)));
    let heads = || chosen().filter_map(|(lesson, w)| Some((lesson, w.head.as_deref()?)));
    for _ in 0..repeat {
        for (lesson, args) in runs() {
            report(format!("{lesson} {args}").trim().to_string(), &|| lines(dir, lesson, args))?;
        }
        for (lesson, args) in workers() {
            for code in [1, 0] {
                let what = format!("{lesson} {args}, a worker ended with exit code {code}");
                report(what, &|| worker_ended(dir, lesson, args, code))?;
            }
            // locked_counter starts workers twice: the parent could be ended as
            // it starts the second pair, and under wine a process started at the
            // instant its parent ends may hang in wine's loader for ever.
            if lesson != "locked_counter" {
                let what = format!("{lesson} {args}, the parent ended");
                report(what, &|| parent_ended(dir, lesson, args))?;
            }
            report(format!("{lesson} {args}, read one line"), &|| head(dir, lesson, args))?;
        }
        for (lesson, args) in heads() {
            report(format!("{lesson} {args}, read one line"), &|| head(dir, lesson, args))?;
        }
    }
    writeln!(stdout, "{passed} passed, {failed} failed")?;
    ensure!(failed == 0, "{failed} of the Windows checks failed");
    Ok(())
}

/// Runs a lesson to its end and checks its lines.
fn lines(dir: &Path, lesson: &str, args: &str) -> Result<String> {
    let (code, stdout, stderr) = Run::start(dir, lesson, args)?.finish()?;
    ensure!(code == 0 && stderr.is_empty(), "exit code {code}: {stderr}");
    // The lecture's lines and the lesson's, before the timelines (one at
    // least, but for caches, which has no workers).
    let stdout = match stdout.find("\nTimeline (") {
        Some(at) => &stdout[..=at],
        None if lesson == "caches" => stdout.as_str(),
        None => bail!("no timeline in {stdout:?}"),
    };
    let value = |prefix: &str| -> Result<&str> {
        let line = stdout.lines().find_map(|l| l.strip_prefix(prefix));
        let line = line.with_context(|| format!("no line {prefix:?} in {stdout:?}"))?;
        Ok(line.split(',').next().unwrap_or(line).trim())
    };
    let first = stdout.lines().next().unwrap_or("");
    match lesson {
        "vec_add" | "vec_add_shm" | "heavy_sum" => {
            let (seq, par) = (value("Sequential sum: ")?, value("Parallel sum: ")?);
            ensure!(seq == par, "{seq} != {par}");
            Ok(format!("sums {seq}, {}", value("Speedup: ")?))
        }
        "race_threads" => {
            let (fetch_add, mutex) = (value("fetch_add:")?, value("Mutex:")?);
            ensure!(exact(fetch_add) && exact(mutex), "{fetch_add}; {mutex}");
            Ok(format!("load then store {}", value("load then store:")?))
        }
        "race_procs" => {
            let count: i64 = first.parse().with_context(|| format!("{first:?} is no count"))?;
            let lost = value("lost ")?;
            let total: i64 =
                lost.rsplit(' ').nth(1).and_then(|t| t.parse().ok()).context("a total")?;
            ensure!((1..=total).contains(&count), "{count} of {total}");
            ensure!(lost.starts_with(&format!("{} of", total - count)), "{lost}");
            Ok(format!("{count}, lost {lost}"))
        }
        "false_sharing" => {
            let (adjacent, padded) = (value("Next to each other:")?, value("Own cache lines:")?);
            ensure!(exact(adjacent) && exact(padded), "{adjacent}; {padded}");
            Ok(format!("{adjacent}, {}", value("Ratio: ")?))
        }
        "reorder" => {
            let counts = ["Relaxed:", "Release/Acquire:", "SeqCst:", "Relaxed + fence:"].map(value);
            let mut seen = Vec::new();
            for count in counts {
                let count = count?;
                let words: Vec<&str> = count.split_whitespace().collect();
                let [both_zero, "of", rounds, ..] = words[..] else { bail!("{count:?}") };
                let both_zero: u64 = both_zero.parse().with_context(|| format!("{count:?}"))?;
                let rounds: u64 = rounds.parse().with_context(|| format!("{count:?}"))?;
                ensure!(both_zero <= rounds, "{count}");
                seen.push(both_zero);
            }
            ensure!(
                seen[2] == 0 && seen[3] == 0,
                "SeqCst or the fence let both loads see 0: {stdout}"
            );
            Ok(format!("r1 = r2 = 0 in {seen:?} rounds"))
        }
        "locked_counter" => {
            let (locked, lock_free) = (value("get_lock:")?, value("fetch_add:")?);
            ensure!(exact(locked) && exact(lock_free), "{locked}; {lock_free}");
            ensure!(locked.starts_with(&format!("{first} of")), "{first} first, then {locked}");
            Ok(format!("{first} first"))
        }
        "spin_lock" => {
            for prefix in ["  spin lock:", "  Mutex:    ", "  fetch_add:"] {
                let way = value(prefix)?;
                ensure!(exact(way), "{prefix} {way}");
            }
            Ok(format!("no lock {}", value("  no lock:  ")?))
        }
        "caches" => {
            let (rows, columns) = (value("Rows:    sum = ")?, value("Columns: sum = ")?);
            ensure!(rows == columns, "rows {rows}, columns {columns}");
            let os = stdout.lines().find(|l| l.starts_with("The OS says"));
            Ok(os.context("no line of what the OS says")?.to_string())
        }
        "mandelbrot" => {
            ensure!(stdout.contains("\nImages are the same: true\n"), "{stdout}");
            let blocks = value("Parallel time (blocks of rows): ")?;
            Ok(format!("blocks {blocks}, busy {}", value("Busy: ")?))
        }
        _ => {
            ensure!(stdout.ends_with("Results are the same: true\n"), "{stdout}");
            Ok(value("Parallel time: ")?.to_string())
        }
    }
}

/// `1000 of 1000`: a count that is all of its total.
fn exact(count: &str) -> bool {
    let words: Vec<&str> = count.split_whitespace().collect();
    words.len() == 3 && words[0] == words[2] && words[1] == "of"
}

/// A worker caught and ended by `TerminateProcess` with exit `code` ends the
/// run with one line and exit code 1. A worker ended with 0 after it had
/// given every answer it owed may rightly end a run well: that run is
/// tried again.
fn worker_ended(dir: &Path, lesson: &str, args: &str, code: u32) -> Result<String> {
    for _ in 0..10 {
        let mut run = Run::start(dir, lesson, args)?;
        let Some(workers) = run.catch_workers(1, true)? else {
            run.abandon();
            continue;
        };
        terminate(workers[0], code)?;
        let start = Instant::now();
        let (exit, stdout, stderr) = run.finish()?;
        let took = start.elapsed().as_secs_f64();
        if code == 0 && exit == 0 {
            continue;
        }
        ensure!(exit == 1, "exit code {exit}: {stdout}{stderr}");
        ensure!(stderr.lines().count() == 1 && stderr.starts_with("error: worker "), "{stderr:?}");
        let cause = if code == 0 { "without its answer" } else { "exit code: 1" };
        ensure!(stderr.contains(cause), "{stderr:?}");
        ensure!(took < 10.0, "the run went on for {took:.1} s");
        return Ok(format!("{} ({took:.2} s later)", stderr.trim()));
    }
    bail!("ten runs ended before a worker that still owed an answer could be caught")
}

/// The parent ended by `TerminateProcess` while its two workers run: they
/// end too, soon after.
fn parent_ended(dir: &Path, lesson: &str, args: &str) -> Result<String> {
    for attempt in 1..=10 {
        let mut run = Run::start(dir, lesson, args)?;
        let Some(workers) = run.catch_workers(2, false)? else {
            run.abandon();
            continue;
        };
        terminate(run.child.id(), 1)?;
        let start = Instant::now();
        while workers.iter().any(|&w| is_running(w)) {
            if start.elapsed() > Duration::from_secs(10) {
                for &worker in &workers {
                    let _ = terminate(worker, 1);
                }
                bail!("workers {workers:?} outlived their parent by 10 s");
            }
            thread::sleep(Duration::from_millis(10));
        }
        let after = start.elapsed().as_secs_f64();
        return Ok(format!("2 workers gone {after:.2} s after (attempt {attempt})"));
    }
    bail!("ten runs ended before their workers were seen running")
}

/// `lesson | head -1` through a Windows pipe: the lesson ends quietly.
fn head(dir: &Path, lesson: &str, args: &str) -> Result<String> {
    let mut run = Run::start(dir, lesson, args)?;
    let stdout = run.stdout.take().context("stdout is piped")?;
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first)?; // and the pipe is closed here
    let (code, _, stderr) = run.finish()?;
    ensure!(code == 0 && stderr.is_empty(), "exit code {code}: {stderr:?}");
    Ok(format!("read {:?}, then a quiet end", first.trim()))
}

/// A lesson's program, running, its output read as it comes.
struct Run {
    child: Child,
    exe: String,
    caught: Vec<u32>,
    stdout: Option<ChildStdout>,
    stderr: Receiver<Vec<u8>>,
}

impl Run {
    fn start(dir: &Path, lesson: &str, args: &str) -> Result<Run> {
        let exe = dir.join(format!("{lesson}.exe"));
        let mut child = Command::new(&exe)
            .args(args.split_whitespace())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {}", exe.display()))?;
        let mut stderr = child.stderr.take().context("stderr is piped")?;
        let (send, receive) = mpsc::channel();
        thread::spawn(move || {
            let mut text = Vec::new();
            let _ = stderr.read_to_end(&mut text);
            let _ = send.send(text);
        });
        let exe = format!("{lesson}.exe");
        Ok(Run { stdout: child.stdout.take(), child, exe, caught: Vec::new(), stderr: receive })
    }

    /// Waits for the end, within `DEADLINE`: exit code, stdout, stderr.
    fn finish(mut self) -> Result<(i32, String, String)> {
        let mut stdout = Vec::new();
        if let Some(mut out) = self.stdout.take() {
            let _ = out.read_to_end(&mut stdout);
        }
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait()? {
                break status;
            }
            if start.elapsed() > DEADLINE {
                let _ = self.child.kill();
                bail!("still running after {DEADLINE:?}");
            }
            thread::sleep(Duration::from_millis(10));
        };
        let stderr = self.stderr.recv_timeout(Duration::from_secs(10)).unwrap_or_default();
        let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
        Ok((status.code().unwrap_or(-1), text(stdout), text(stderr)))
    }

    /// Catches `count` workers. With `hold`, each is suspended as soon as it
    /// is seen, so that the run waits for it. Without, each is only seen
    /// once it has reached `main`: under wine a process starts with one
    /// thread, and a worker's second one watches its parent (one in wine's
    /// loader may never get to `main` once its parent has gone). `None` if
    /// the run, or a worker, ended before that: the caller runs it again.
    fn catch_workers(&mut self, count: usize, hold: bool) -> Result<Option<Vec<u32>>> {
        let start = Instant::now();
        while start.elapsed() < DEADLINE {
            if self.child.try_wait()?.is_some() {
                return Ok(None);
            }
            for worker in children(self.child.id(), &self.exe) {
                let seen = hold || threads(worker).len() >= 2;
                if self.caught.len() < count && !self.caught.contains(&worker) && seen {
                    if hold {
                        suspend(worker);
                    }
                    if !is_running(worker) {
                        return Ok(None);
                    }
                    self.caught.push(worker);
                }
            }
            if self.caught.len() == count {
                return Ok(Some(self.caught.clone()));
            }
            thread::sleep(Duration::from_millis(1));
        }
        bail!("no {count} workers appeared within {DEADLINE:?}")
    }
}

impl Run {
    /// Lets a run that could not be caught as planned go on to its own end,
    /// its caught workers resumed. Ending its parent instead could catch it
    /// starting a worker, and under wine a process whose parent ends while
    /// it starts may hang in wine's loader for ever (seen: one thread, in a
    /// pipe read), holding the run's shared file open.
    fn abandon(mut self) {
        for worker in std::mem::take(&mut self.caught) {
            resume(worker);
        }
        let _ = self.finish();
    }
}

/// Whatever happened, nothing of a run is left: its workers caught and
/// suspended would otherwise wait for ever.
impl Drop for Run {
    fn drop(&mut self) {
        for &worker in &self.caught {
            let _ = terminate(worker, 1);
        }
        let _ = self.child.kill(); // Ok(()) for a run that has ended
        let _ = self.child.wait();
    }
}

/// Fails if a `.tmp*` file that was not there `before` is still there 10 s
/// after a run ended (wine removes a closed file a moment after its
/// process has ended).
fn no_temp_file_left(before: &[String]) -> Result<()> {
    let start = Instant::now();
    loop {
        let left: Vec<String> = temp_files()?.into_iter().filter(|f| !before.contains(f)).collect();
        if left.is_empty() {
            return Ok(());
        }
        ensure!(start.elapsed() < Duration::from_secs(10), "left {left:?} in the temp dir");
        thread::sleep(Duration::from_millis(50));
    }
}

/// The names of the `.tmp*` files in the temp dir, where the lessons' shared
/// files live while a run lasts.
fn temp_files() -> Result<Vec<String>> {
    let dir: PathBuf = std::env::temp_dir();
    let entries =
        std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?;
    let names = entries.filter_map(|e| e.ok()?.file_name().into_string().ok());
    Ok(names.filter(|name| name.starts_with(".tmp")).collect())
}

// What this check needs of Windows: processes by parent, suspending one,
// ending one, and whether one still runs.

/// The live processes named `exe` whose parent is `parent`.
fn children(parent: u32, exe: &str) -> Vec<u32> {
    let mut found = Vec::new();
    let mut entry = PROCESSENTRY32W {
        dwSize: size_of::<PROCESSENTRY32W>().try_into().expect("a small struct"),
        ..Default::default()
    };
    // SAFETY: the snapshot handle is checked, used with an entry of the
    // size it says, and closed once.
    unsafe {
        let snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
        if snapshot == INVALID_HANDLE_VALUE {
            return found;
        }
        let mut more = Process32FirstW(snapshot, &mut entry);
        while more != 0 {
            let name = String::from_utf16_lossy(&entry.szExeFile);
            let name = name.trim_end_matches('\0');
            if entry.th32ParentProcessID == parent && name.eq_ignore_ascii_case(exe) {
                found.push(entry.th32ProcessID);
            }
            more = Process32NextW(snapshot, &mut entry);
        }
        CloseHandle(snapshot);
    }
    found.retain(|&pid| is_running(pid));
    found
}

/// The ids of the threads of process `pid`.
fn threads(pid: u32) -> Vec<u32> {
    let mut entry = THREADENTRY32 {
        dwSize: size_of::<THREADENTRY32>().try_into().expect("a small struct"),
        ..Default::default()
    };
    let mut found = Vec::new();
    // SAFETY: the snapshot handle is checked, used with an entry of the size
    // it says, and closed once.
    unsafe {
        let snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
        if snapshot == INVALID_HANDLE_VALUE {
            return found;
        }
        let mut more = Thread32First(snapshot, &mut entry);
        while more != 0 {
            if entry.th32OwnerProcessID == pid {
                found.push(entry.th32ThreadID);
            }
            more = Thread32Next(snapshot, &mut entry);
        }
        CloseHandle(snapshot);
    }
    found
}

/// Suspends every thread of process `pid`: the Windows `kill -STOP`.
fn suspend(pid: u32) {
    for id in threads(pid) {
        // SAFETY: the handle is checked before use and closed once.
        unsafe {
            let thread = OpenThread(THREAD_SUSPEND_RESUME, 0, id);
            if !thread.is_null() {
                SuspendThread(thread);
                CloseHandle(thread);
            }
        }
    }
}

/// Resumes every thread of process `pid`: the Windows `kill -CONT`.
fn resume(pid: u32) {
    for id in threads(pid) {
        // SAFETY: the handle is checked before use and closed once.
        unsafe {
            let thread = OpenThread(THREAD_SUSPEND_RESUME, 0, id);
            if !thread.is_null() {
                ResumeThread(thread);
                CloseHandle(thread);
            }
        }
    }
}

/// `TerminateProcess(pid, code)`, as Task Manager and `taskkill /F` do.
fn terminate(pid: u32, code: u32) -> Result<()> {
    // SAFETY: the handle is checked before use and closed once.
    let ended = unsafe {
        let process = OpenProcess(PROCESS_TERMINATE, 0, pid);
        ensure!(!process.is_null(), "cannot open process {pid}");
        let ended = TerminateProcess(process, code);
        CloseHandle(process);
        ended
    };
    ensure!(ended != 0, "cannot end process {pid}");
    Ok(())
}

/// Does process `pid` still run?
fn is_running(pid: u32) -> bool {
    // SAFETY: the handle is checked before use and closed once.
    unsafe {
        let process = OpenProcess(PROCESS_SYNCHRONIZE, 0, pid);
        if process.is_null() {
            return false;
        }
        let running = WaitForSingleObject(process, 0) == WAIT_TIMEOUT;
        CloseHandle(process);
        running
    }
}
