//! Plumbing, not the lesson: a reader can skip this file. It is the same,
//! byte for byte, in every lesson with worker processes (a check fails when
//! a copy drifts), and it is tested once, in `copies/`.
//!
//! - `Procs` watches the workers a lesson spawned, hears whichever answers or
//!   fails first, and kills and reaps them all on any way out. A pool gives
//!   tasks, `TASK X` on a worker's stdin, and hears `TASK RESULT` back.
//! - A worker calls `watch_parent` first (no worker outlives its parent,
//!   however the parent ends), then `each_block`, `answer` or `answer_tasks`.
//!   It records what it does (`timing`) and sends that with each answer,
//!   after a tab, for the parent to place on the run's timeline.
#![allow(dead_code)] // the same file everywhere: not every lesson uses every part

use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::{Child, Command};
use std::sync::mpsc::{self, Receiver, Sender};
use std::{fmt::Display, str::FromStr, thread, time::Instant};

use anyhow::{Context, Result, bail, ensure};

/// The worker processes of a run (`procs` in the Python). A thread per worker
/// passes each line of its stdout on as it comes, so the parent hears from
/// whichever answers, or ends, first. Dropping `Procs` kills and reaps them.
pub struct Procs {
    pub children: Vec<Child>,
    /// The answers each worker owes (to end owing one is to fail), and the tasks.
    owed: Vec<usize>,
    given: Vec<Vec<usize>>,
    running: usize,
    /// When the parent began to start the next worker: its row's start.
    starting: Instant,
    news: Receiver<(usize, News)>,
    sender: Sender<(usize, News)>,
}

/// What a worker's reader thread passes on.
enum News {
    /// A line of its stdout, when it came, and its report split off.
    Line(String, Instant, Option<String>),
    /// Its stdout has closed: it has ended, having said this on stderr.
    Ended(String),
}

impl Procs {
    pub fn new() -> Procs {
        let (sender, news) = mpsc::channel();
        let (children, owed, given) = (Vec::new(), Vec::new(), Vec::new());
        Procs { children, owed, given, running: 0, starting: Instant::now(), news, sender }
    }

    /// Watches `child`, just spawned with its stdout and stderr piped, as the
    /// next worker: it owes `answers` lines; its stderr says why it failed.
    pub fn watch(&mut self, mut child: Child, answers: usize) -> Result<&mut Child> {
        let i = self.children.len();
        let stdout = child.stdout.take().expect("the worker's stdout is piped");
        let mut stderr = child.stderr.take().expect("the worker's stderr is piped");
        self.children.push(child);
        self.owed.push(answers);
        self.given.push(Vec::new());
        timing::started(i, self.starting);
        let sender = self.sender.clone();
        let reader = move || {
            // Whole lines only: a worker killed mid-answer leaves no answer.
            let mut stdout = BufReader::new(stdout);
            let mut line = String::new();
            while stdout.read_line(&mut line).is_ok_and(|_| line.ends_with('\n')) {
                let received = Instant::now();
                let text = line.trim_end_matches(['\n', '\r']);
                let (answer, report) = text.split_once('\t').unwrap_or((text, ""));
                let report = (!report.is_empty()).then(|| report.to_string());
                let _ = sender.send((i, News::Line(answer.to_string(), received, report)));
                line.clear();
            }
            let mut said = Vec::new();
            let _ = stderr.read_to_end(&mut said);
            let _ = sender.send((i, News::Ended(String::from_utf8_lossy(&said).into_owned())));
        };
        let reader = thread::Builder::new().spawn(reader);
        reader.context("cannot start a thread to read a worker's answers")?;
        self.running += 1;
        self.starting = Instant::now();
        Ok(&mut self.children[i])
    }

    /// Gives worker `i` a task, if there is one left: `TASK X` on its stdin,
    /// which it owes an answer to, `TASK RESULT`.
    pub fn give<X: Display>(&mut self, i: usize, task: Option<(usize, X)>) {
        if let Some((task, x)) = task {
            self.owed[i] += 1;
            self.given[i].push(task);
            let stdin = self.children[i].stdin.as_mut().expect("stdin is piped");
            let _ = writeln!(stdin, "{task} {x}"); // a dead worker's end is reported instead
        }
    }

    /// The next answer any worker gives to a task it was given: which
    /// worker, which task, and the result.
    pub fn next_answer<R: FromStr>(&mut self) -> Result<(usize, usize, R)> {
        let (i, answer) = self.next_line()?;
        let (task, result) = answer.split_once(' ').unwrap_or((&answer, ""));
        let given = task.parse().ok().and_then(|t| self.given[i].iter().position(|&g| g == t));
        match (given, result.parse()) {
            (Some(at), Ok(result)) => Ok((i, self.given[i].swap_remove(at), result)),
            _ => bail!("worker {i} answered {answer:.60?}, not `TASK RESULT` to a task it had"),
        }
    }

    /// The pool ends (Python's `with`): closing their stdin ends the workers.
    pub fn close(&mut self) -> Result<()> {
        for worker in &mut self.children {
            drop(worker.stdin.take());
        }
        self.join()
    }

    /// The next line any worker answers, and which worker answered it; or the
    /// error of a worker that fails first, naming it and saying how.
    pub fn next_line(&mut self) -> Result<(usize, String)> {
        self.next()?.context("the workers ended without answering")
    }

    /// `for p in procs: p.join()`, in whatever order they end: answers still
    /// owed are dropped; one that fails, or says more, ends the run at once.
    pub fn join(&mut self) -> Result<()> {
        while self.next()?.is_some() {}
        Ok(())
    }

    /// The next line owed, its report placed on the timeline; `None` at the end.
    fn next(&mut self) -> Result<Option<(usize, String)>> {
        while self.running > 0 {
            match self.news.recv().expect("Procs holds a sender") {
                (i, News::Line(line, received, report)) if self.owed[i] > 0 => {
                    self.owed[i] -= 1;
                    if let Some(Err(why)) = report.map(|r| timing::place(i, received, &r)) {
                        bail!("worker {i} answered {line:.60?} with {why}");
                    }
                    return Ok(Some((i, line)));
                }
                (i, News::Line(line, ..)) => bail!("worker {i} answered {line:?}, unasked"),
                (i, News::Ended(said)) => self.ended(i, &said)?,
            }
        }
        Ok(None)
    }

    /// Worker `i` has ended: reap it. It failed if its exit says so, or if it
    /// still owed an answer; its own words, if it said any, say why.
    fn ended(&mut self, i: usize, said: &str) -> Result<()> {
        self.running -= 1;
        let status = self.children[i].wait().context("cannot wait for a worker")?;
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

/// An answer that should be a number: it, or an error naming the worker.
pub fn parse<T: FromStr>(i: usize, answer: &str) -> Result<T> {
    answer.parse().ok().with_context(|| format!("worker {i} answered {answer:?}, not a number"))
}

/// A worker's answer, one line, after a tab its record since the last: in
/// one write, so that a worker stopped or killed leaves no half line.
pub fn answer(text: impl Display) -> Result<()> {
    let line = format!("{text}\t{}\n", timing::report());
    io::stdout().write_all(line.as_bytes())?;
    Ok(())
}

/// A worker's input, read into one reused block (one as large as the input
/// doubled a sum's time in page faults), waiting for each block's first bytes.
pub fn each_block<T: bytemuck::Pod>(mut f: impl FnMut(&[T])) -> Result<()> {
    let (mut stdin, mut block) = (io::stdin().lock(), vec![T::zeroed(); 64 * 1024]);
    let mut read_into = |bytes: &mut [u8]| loop {
        match stdin.read(bytes) {
            // straight into the block, not through stdin's buffer
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            read => return read.context("worker: cannot read its input"),
        }
    };
    loop {
        let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut block);
        let (mut read, input) = (timing::waiting().then(|| read_into(bytes))?, timing::input());
        let mut more = read;
        while more > 0 && read < bytes.len() {
            more = read_into(&mut bytes[read..])?;
            read += more;
        }
        drop(input);
        ensure!(read % size_of::<T>() == 0, "worker: its input is not a whole number of numbers");
        f(&block[..read / size_of::<T>()]);
        if read < size_of_val(&block[..]) {
            return Ok(()); // the input has ended
        }
    }
}

/// A pool worker's side: answers `TASK RESULT` to every `TASK X` on its
/// stdin, `f(TASK, X)` the result, until the parent closes it; a task that
/// does not parse, or that `f` does not take (`None`), ends it with an error.
pub fn answer_tasks<X: FromStr, R: Display>(
    mut f: impl FnMut(usize, X) -> Option<R>,
) -> Result<()> {
    let mut lines = io::stdin().lines();
    loop {
        let Some(line) = timing::waiting().then(|| lines.next()) else { return Ok(()) };
        let line = line.context("worker: cannot read a task")?;
        let (task, x) = line.split_once(' ').unwrap_or((&line, ""));
        let result = match (task.parse(), x.parse()) {
            (Ok(task), Ok(x)) => timing::computing().task(task).then(|| f(task, x)).zip(Some(task)),
            _ => None,
        };
        let (result, task) = result.with_context(|| format!("worker: {line:?} is not a task"))?;
        answer(format_args!("{task} {result}"))?;
    }
}

/// Each worker leads a process group of its own (on Unix): orphaned when its
/// parent ends, its stopped workers are woken and hung up by the kernel.
#[cfg(unix)]
pub fn end_with_parent(command: &mut Command) {
    std::os::unix::process::CommandExt::process_group(command, 0);
}

#[cfg(not(unix))]
pub fn end_with_parent(_command: &mut Command) {}

/// A worker's first act: start the record of what it does, and end, quietly,
/// as soon as its parent has gone (killed, Ctrl-C, an IDE's stop), whatever
/// it is doing: on Linux the kernel kills it (`PR_SET_PDEATHSIG`, sent when
/// the *thread* that started it ends: start workers from `main`'s thread);
/// elsewhere a thread looks every 50 ms. A parent already gone is seen at once.
#[cfg(target_os = "linux")]
pub fn watch_parent(parent: u32) -> Result<()> {
    timing::record();
    // SAFETY: prctl with these two integer arguments touches no memory.
    let set = unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
    ensure!(set == 0, "worker: cannot ask to end with its parent: {}", io::Error::last_os_error());
    if std::os::unix::process::parent_id() != parent {
        std::process::exit(1);
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
pub fn watch_parent(parent: u32) -> Result<()> {
    timing::record();
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
