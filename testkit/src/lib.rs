//! Helpers for the members' tests (a dev-dependency only: no lesson's
//! program depends on it). They run a lesson's real binary, never let it
//! hang a test, and look at its worker processes from outside the way a
//! teacher would: `kill -9` one of them, kill the parent, press Ctrl-C, pipe
//! the output into `head`. Those are Linux only (`linux.rs`: workers are
//! found through /proc); reading and judging what a run printed
//! (`output.rs`) and `ends_within`, for unit tests, work everywhere.

use std::sync::atomic::{AtomicU64, Ordering, Ordering::Relaxed};
use std::sync::{Barrier, Mutex, PoisonError, mpsc};
use std::thread;
use std::time::Duration;

mod judge;
#[cfg(target_os = "linux")]
mod linux;
mod output;

pub use judge::*;
#[cfg(target_os = "linux")]
pub use linux::*;
pub use output::*;

/// How long a unit test lets a function of a student's answer run: a right
/// one takes well under a second, idle or busy.
pub const ENDS_WITHIN: Duration = Duration::from_secs(30);

/// For an exercise's unit tests: runs `f` on a thread of its own and returns
/// what it returns, or fails naming `function` if it has not ended within
/// `ENDS_WITHIN` (a lock taken twice never ends). A thread that hangs is
/// left behind: the test program ends with its last test. A `todo!` left in
/// the answer fails in one line, naming the function it is in.
pub fn ends_within<T: Send + 'static>(function: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    quiet_answers();
    let (send, receive) = mpsc::channel();
    let thread = thread::Builder::new().name(ANSWER.to_string()).spawn(move || {
        let _ = send.send(f());
    });
    let thread = thread.expect("a thread for the answer starts");
    match receive.recv_timeout(ENDS_WITHIN) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Disconnected) => match thread.join() {
            Err(panic) => match panic_text(&*panic).and_then(todo_left) {
                Some(left) => panic!("{left} is still to write (its todo! is left)"),
                None => std::panic::resume_unwind(panic), // its own failure
            },
            Ok(()) => unreachable!("the thread sends before it ends"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{function} hung: still running after {ENDS_WITHIN:?} (a lock taken twice?)")
        }
    }
}

/// For an exercise's unit tests: runs `check` as `ends_within` does, and
/// fails the test in the words of the `Err` it returns.
pub fn judged(function: &str, check: impl FnOnce() -> Result<(), String> + Send + 'static) {
    if let Err(why) = ends_within(function, check) {
        panic!("{why}");
    }
}

/// What a panic said, if it said it in words.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> Option<&str> {
    payload.downcast_ref::<&str>().copied().or(payload.downcast_ref::<String>().map(String::as_str))
}

/// The name of the threads that run an answer's functions.
const ANSWER: &str = "answer";

/// Once: a panic in an answer's thread (its `todo!`, or its own) is told by
/// the test that ran it, not also in a panic message with a backtrace.
fn quiet_answers() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if thread::current().name() != Some(ANSWER) {
                default(info);
            }
        }));
    });
}

/// For an exercise's unit tests: does `increment(x, iters)` add 1 at a time,
/// each addition one indivisible step that reaches `x`? Another thread
/// watches `x` while the increment runs (both running before it starts),
/// and adds 2^32 to it each time it looks, in one step of its own
/// (`fetch_add`). An answer that adds 1 at a time is seen at values in
/// between, whose greatest common divisor is 1; one that adds all at once,
/// or counts in a local variable and stores it at the end, is never seen in
/// between, and one that adds 4 at a time only at multiples of 4. One that
/// loads and then stores loses the watcher's additions that fall between
/// its load and its store, idle or busy: every time the watcher runs while
/// the increment is stopped between the two, whatever stopped it. The
/// increment runs until the watcher has seen fifty values in between, on a
/// machine of any speed and load (or 100,000,000 additions, ten times as
/// many if it has seen some).
pub fn adds_one_at_a_time(function: &str, increment: fn(&AtomicU64, u64)) -> Result<(), String> {
    let look = |x: &AtomicU64| x.fetch_add(WATCHER, Relaxed);
    watch_it_grow(function, increment, look, "add in one indivisible step (fetch_add)")
}

/// As `adds_one_at_a_time`, for an increment of the number in a `Mutex`,
/// which the watcher locks to look and add: one that holds the lock across
/// all its additions is never seen in between, and one that reads under the
/// lock and writes under it again loses the watcher's additions in between.
pub fn adds_one_at_a_time_locked(
    function: &str,
    increment: fn(&Mutex<u64>, u64),
) -> Result<(), String> {
    let look = |x: &Mutex<u64>| {
        let mut x = x.lock().unwrap_or_else(PoisonError::into_inner);
        let seen = *x;
        *x += WATCHER;
        seen
    };
    watch_it_grow(function, increment, look, "hold the lock across each read and write")
}

/// What the watcher of `watch_it_grow` adds each time it looks: above any
/// count of the increment's own.
const WATCHER: u64 = 1 << 32;

/// The additions of one call of the increment, in `watch_it_grow`.
const BATCH: u64 = 100_000;

/// At most this many calls, `BATCH` additions each: enough, on a busy
/// machine, for the watcher to see fifty values in between; ten times as
/// many once it has seen one (both cores busy, `fetch_add(4)` was seen at
/// only a few values in 1,000 calls).
const BATCHES: u64 = 1000;

fn watch_it_grow<X: Default + Sync>(
    function: &str,
    increment: impl Fn(&X, u64) + Sync,
    look: impl Fn(&X) -> u64,
    how: &str,
) -> Result<(), String> {
    let small = X::default(); // first, alone: exactly iters additions
    increment(&small, 1003);
    match look(&small) % WATCHER {
        1003 => {}
        added => return Err(format!("{function}: x is {added} after 1003 additions")),
    }
    let (x, ready, so_far) = (X::default(), Barrier::new(2), AtomicU64::new(0));
    // The increment is called again and again, `BATCH` additions each time,
    // until the watcher has seen fifty values in between two calls' ends.
    let (seen, step, looks, calls) = thread::scope(|s| {
        let adding = s.spawn(|| {
            ready.wait();
            let mut calls = 0;
            loop {
                let seen = so_far.load(Relaxed);
                let most = if seen == 0 { BATCHES } else { 10 * BATCHES };
                if seen >= 50 || calls >= most {
                    break;
                }
                increment(&x, BATCH);
                calls += 1;
            }
            calls
        });
        ready.wait();
        let (mut seen, mut step, mut last, mut looks) = (0_u64, 0_u64, 0_u64, 0_u64);
        while !adding.is_finished() {
            let value = look(&x) % WATCHER;
            looks += 1;
            if value != last && !value.is_multiple_of(BATCH) {
                // A value in between: the greatest common divisor of the
                // part each call adds, over every such value seen.
                (seen, step, last) = (seen + 1, gcd(step, value % BATCH), value);
                so_far.store(seen, Relaxed);
            }
        }
        (seen, step, looks, adding.join().expect("the increment ended"))
    });
    let end = look(&x);
    let (added, lost) = (end % WATCHER, looks.saturating_sub(end / WATCHER));
    if lost > 0 {
        return Err(format!(
            "{function}: another thread added to x {looks} times while it ran, and {lost} of \
             those additions were lost: each fell between a read of x and the write of x + 1: \
             {how}"
        ));
    }
    if added != calls * BATCH {
        return Err(format!("{function}: x is {added} after {} additions", calls * BATCH));
    }
    match (seen, step) {
        (0, _) => Err(format!(
            "{function}: x went from 0 to {added}, {BATCH} additions a call, without another \
             thread ever seeing a value in between: add 1 at a time, iters times, each \
             addition reaching x"
        )),
        (_, 1) => Ok(()),
        // Under 16 values may all be even by chance (one time in 2^16 at
        // 16), on a machine too busy to show more: too few to judge.
        (1..16, _) => Ok(()),
        (_, step) => {
            Err(format!("{function}: x was seen only at multiples of {step}: add 1 at a time"))
        }
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The text of function `name`'s body in `source`, comments left out: for
/// an exercise's tests of what running cannot show (an ordering that this
/// CPU happens to honour anyway).
pub fn body_of(source: &str, name: &str) -> String {
    let source = without_comments(source);
    let start = source.find(&format!("fn {name}(")).unwrap_or_else(|| panic!("no fn {name}"));
    let open = start + source[start..].find('{').expect("a body");
    let close =
        matching(&source[open..], '{', '}').unwrap_or_else(|| panic!("fn {name} has no end"));
    source[open..=open + close].to_string()
}

/// `source` without its `//` and `/* */` comments.
fn without_comments(source: &str) -> String {
    let mut code = String::new();
    let mut rest = source;
    while let Some(at) = rest.find("/*") {
        code += &rest[..at];
        rest = rest[at..].split_once("*/").map_or("", |(_, after)| after);
    }
    code += rest;
    code.lines().map(|line| line.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// An atomic access, as `accesses` reads it from the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Store(Ordering),
    Load(Ordering),
    /// `fence(ordering)`: an atomic fence, for the hardware.
    Fence(Ordering),
    /// `compiler_fence(..)`: it keeps the compiler from moving accesses, not the CPU.
    CompilerFence,
}

/// The atomic accesses in function `name`'s body, in the order they are
/// written (`x.store(true, SeqCst)`, `fence(SeqCst)`, `y.load(Acquire)`;
/// a read-modify-write such as `swap` is a load then a store, both with its
/// ordering, or a `compare_exchange`'s on success), and those of the
/// functions of the file it calls, in their place: what the code does,
/// however it names an ordering (an `Ordering::` path, a `const` of the
/// file, or an argument of the call). An ordering it cannot tell is an error.
pub fn accesses(source: &str, name: &str) -> Result<Vec<Access>, String> {
    accesses_given(source, name, &[], 0)
}

/// `accesses`, in a function called with `given` (its parameters' names,
/// and the caller's text for each), `depth` calls down.
fn accesses_given(
    source: &str,
    name: &str,
    given: &[(String, String)],
    depth: usize,
) -> Result<Vec<Access>, String> {
    let body = body_of(source, name);
    let code = without_comments(source);
    let ordering = |text: &str| {
        let text = text.trim();
        let text = given.iter().find(|(p, _)| p == text).map_or(text, |(_, arg)| arg.as_str());
        ordering(&code, text)
    };
    let mut found = Vec::new();
    for (at, _) in body.match_indices('(') {
        let before = body[..at].trim_end();
        let word_start =
            before.rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
        let (word, dot) = (&before[word_start..], before[..word_start].ends_with('.'));
        let close = matching(&body[at..], '(', ')')
            .ok_or_else(|| format!("{name}: a call is not closed"))?;
        let args = split_top(&body[at + 1..at + close]);
        let last = args.last().map_or("", String::as_str);
        let rmw = ["swap", "fetch_or", "fetch_and", "fetch_nand", "fetch_xor", "fetch_add"];
        let access = match (word, dot) {
            // A read-modify-write: a load and a store, each with its ordering.
            (rmw_word, true) if rmw.contains(&rmw_word) => {
                found.push(Access::Load(ordering(last)?));
                Access::Store(ordering(last)?)
            }
            ("compare_exchange" | "compare_exchange_weak", true) => {
                let success = args.get(2).map_or("", String::as_str);
                found.push(Access::Load(ordering(success)?));
                Access::Store(ordering(success)?)
            }
            ("store", true) => Access::Store(ordering(last)?),
            ("load", true) => Access::Load(ordering(last)?),
            ("fence", false) => Access::Fence(ordering(last)?),
            ("compiler_fence", false) => Access::CompilerFence,
            // A function of the file: its accesses, its parameters named by
            // this call's arguments.
            (called, false)
                if called != name && depth < 8 && code.contains(&format!("fn {called}(")) =>
            {
                let args = args.iter().map(|arg| {
                    let arg = arg.trim();
                    given
                        .iter()
                        .find(|(p, _)| p == arg)
                        .map_or(arg, |(_, a)| a.as_str())
                        .to_string()
                });
                let called_given: Vec<(String, String)> =
                    parameters(&code, called).into_iter().zip(args).collect();
                found.extend(accesses_given(source, called, &called_given, depth + 1)?);
                continue;
            }
            _ => continue,
        };
        found.push(access);
    }
    Ok(found)
}

/// The names of function `name`'s parameters, in order.
fn parameters(code: &str, name: &str) -> Vec<String> {
    let Some(start) = code.find(&format!("fn {name}(")) else { return Vec::new() };
    let open = start + code[start..].find('(').unwrap_or(0);
    let Some(close) = matching(&code[open..], '(', ')') else { return Vec::new() };
    let names = split_top(&code[open + 1..open + close]).into_iter().map(|p| {
        let name = p.split(':').next().unwrap_or("").trim();
        name.trim_start_matches("mut ").trim().to_string()
    });
    names.collect()
}

/// `text` split at its commas outside brackets.
fn split_top(text: &str) -> Vec<String> {
    let (mut parts, mut part, mut depth) = (Vec::new(), String::new(), 0);
    for c in text.chars() {
        match c {
            '(' | '[' | '{' | '<' => depth += 1,
            ')' | ']' | '}' | '>' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut part));
                continue;
            }
            _ => {}
        }
        part.push(c);
    }
    if !part.trim().is_empty() {
        parts.push(part);
    }
    parts
}

/// The length up to the bracket `close` that closes the `open` that `text`
/// starts with.
fn matching(text: &str, open: char, close: char) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        depth += i32::from(c == open) - i32::from(c == close);
        if depth == 0 {
            return Some(i);
        }
    }
    None
}

/// The ordering `text` names: `SeqCst`, `Ordering::SeqCst`, or a `const`
/// of `source` that names one.
fn ordering(source: &str, text: &str) -> Result<Ordering, String> {
    let mut text = text.trim().to_string();
    for _ in 0..8 {
        let last = text.rsplit("::").next().unwrap_or("").trim();
        let known = [
            ("Relaxed", Ordering::Relaxed),
            ("Release", Ordering::Release),
            ("Acquire", Ordering::Acquire),
            ("AcqRel", Ordering::AcqRel),
            ("SeqCst", Ordering::SeqCst),
        ];
        if let Some(&(_, ordering)) = known.iter().find(|(name, _)| *name == last) {
            return Ok(ordering);
        }
        // `const NAME:`, not `const NAME_SC:`.
        let definition = source
            .split(&format!("const {last}"))
            .skip(1)
            .find(|after| after.trim_start().starts_with(':'));
        let value =
            definition.and_then(|d| d.split_once('=')).and_then(|(_, v)| v.split(';').next());
        match value {
            Some(value) if !last.is_empty() => text = value.trim().to_string(),
            _ => return Err(format!("cannot tell which ordering `{text}` is")),
        }
    }
    Err(format!("cannot tell which ordering `{text}` is"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_within_returns_or_says_what_hung() {
        assert_eq!(ends_within("f", || 7), 7);
        let failed = std::panic::catch_unwind(|| ends_within("g", || panic!("its own words")));
        let failed = failed.unwrap_err();
        assert_eq!(failed.downcast_ref::<&str>(), Some(&"its own words"));
    }

    #[test]
    fn an_increment_is_seen_growing_only_when_it_adds_one_at_a_time() {
        fn one_at_a_time(x: &AtomicU64, iters: u64) {
            for _ in 0..iters {
                x.fetch_add(1, Relaxed);
            }
        }
        fn all_at_once(x: &AtomicU64, iters: u64) {
            x.fetch_add(iters, Relaxed);
        }
        assert_eq!(adds_one_at_a_time("f", one_at_a_time), Ok(()));
        let err = adds_one_at_a_time("f", all_at_once).unwrap_err();
        assert!(err.contains("without another thread ever seeing"), "{err}");
        fn by_four(x: &AtomicU64, iters: u64) {
            for _ in 0..iters / 4 {
                x.fetch_add(4, Relaxed);
            }
            x.fetch_add(iters % 4, Relaxed);
        }
        assert!(adds_one_at_a_time("f", by_four).unwrap_err().contains("multiples of 4"));
        fn by_thousand(x: &AtomicU64, iters: u64) {
            for _ in 0..iters / 1000 {
                x.fetch_add(1000, Relaxed);
            }
            x.fetch_add(iters % 1000, Relaxed);
        }
        // (Optimised, the compiler may merge the loop into one addition.)
        assert!(adds_one_at_a_time("f", by_thousand).is_err());
        fn held(x: &Mutex<u64>, iters: u64) {
            let mut x = x.lock().unwrap();
            for _ in 0..iters {
                *x += 1;
            }
        }
        assert!(adds_one_at_a_time_locked("f", held).is_err());
        fn each_locked(x: &Mutex<u64>, iters: u64) {
            for _ in 0..iters {
                *x.lock().unwrap() += 1;
            }
        }
        assert_eq!(adds_one_at_a_time_locked("f", each_locked), Ok(()));
    }

    /// Lost updates are forced, not hoped for: every run of these, idle or
    /// busy, on one CPU or many, loses some of the watcher's additions.
    #[test]
    fn a_read_then_a_write_loses_the_watchers_additions_whatever_the_load() {
        fn load_then_store(x: &AtomicU64, iters: u64) {
            for _ in 0..iters {
                x.store(x.load(Relaxed) + 1, Relaxed);
            }
        }
        fn locked_twice(x: &Mutex<u64>, iters: u64) {
            for _ in 0..iters {
                let read = *x.lock().unwrap();
                *x.lock().unwrap() = read + 1;
            }
        }
        for _ in 0..5 {
            let err = adds_one_at_a_time("f", load_then_store).unwrap_err();
            assert!(err.contains("additions were lost"), "{err}");
            let err = adds_one_at_a_time_locked("f", locked_twice).unwrap_err();
            assert!(err.contains("hold the lock across each read and write"), "{err}");
        }
    }

    #[test]
    fn body_of_finds_a_body_without_its_comments() {
        let source = "fn a() {}\nfn b(x: u8) {\n    if x { y() } // SeqCst\n}\n";
        assert_eq!(body_of(source, "b"), "{\n    if x { y() } \n}");
    }

    #[test]
    fn a_todo_left_is_told_in_one_line_naming_its_function() {
        let failed = std::panic::catch_unwind(|| ends_within("f", || todo!("g: write it")));
        let failed = failed.unwrap_err();
        assert_eq!(panic_text(&*failed), Some("g is still to write (its todo! is left)"));
        let method = std::panic::catch_unwind(|| ends_within("f", || todo!("S::m: return S {{}}")));
        let method = method.unwrap_err();
        assert_eq!(panic_text(&*method), Some("S::m is still to write (its todo! is left)"));
    }

    #[test]
    fn accesses_are_read_in_order_whatever_names_their_orderings() {
        let source = "use std::sync::atomic::Ordering::{self, *};\n\
            const STRONG: Ordering = ORDER;\nconst ORDER: Ordering = Ordering::SeqCst;\n\
            fn f(x: &AtomicBool, y: &AtomicBool) -> bool {\n\
                x.store(true, Relaxed); // not load(Acquire)\n\
                std::sync::atomic::fence(STRONG);\n\
                compiler_fence(SeqCst);\n\
                (y.load(std::sync::atomic::Ordering::Acquire))\n}\n";
        let seen = accesses(source, "f").unwrap();
        assert_eq!(
            seen,
            [
                Access::Store(Ordering::Relaxed),
                Access::Fence(Ordering::SeqCst),
                Access::CompilerFence,
                Access::Load(Ordering::Acquire)
            ]
        );
        let swap = "fn s(x: &AtomicBool) -> bool { x.swap(true, SeqCst) }";
        let swap = accesses(swap, "s").unwrap();
        assert_eq!(swap, [Access::Load(Ordering::SeqCst), Access::Store(Ordering::SeqCst)]);
        // Consts named alike, a helper given the orderings, a fence in a comment.
        let helper = "const STORE_SC: Ordering = SeqCst;\nconst STORE: Ordering = Release;\n\
            fn h(x: &AtomicBool) -> bool { with(x, STORE, Acquire) /* fence(SeqCst) */ }\n\
            fn with(x: &AtomicBool, store: Ordering, mut load: Ordering) -> bool {\n\
                x.store(true, store);\n    x.load(load)\n}\n";
        let seen = accesses(helper, "h").unwrap();
        assert_eq!(seen, [Access::Store(Ordering::Release), Access::Load(Ordering::Acquire)]);
        let unknown = "fn g(x: &AtomicBool) -> bool { x.load(pick()) }";
        assert!(accesses(unknown, "g").unwrap_err().contains("pick()"));
    }
}
