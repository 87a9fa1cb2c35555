//! Helpers for the members' tests (a dev-dependency only: no lesson's
//! program depends on it). They run a lesson's real binary, never let it
//! hang a test, and look at its worker processes from outside the way a
//! teacher would: `kill -9` one of them, kill the parent, press Ctrl-C, pipe
//! the output into `head`. Those are Linux only (`linux.rs`: workers are
//! found through /proc); reading and judging what a run printed
//! (`output.rs`) and `ends_within`, for unit tests, work everywhere.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

#[cfg(target_os = "linux")]
mod linux;
mod output;

#[cfg(target_os = "linux")]
pub use linux::*;
pub use output::*;

/// How long a unit test lets a function of a student's answer run.
pub const ENDS_WITHIN: Duration = Duration::from_secs(10);

/// For an exercise's unit tests: runs `f` on a thread of its own and returns
/// what it returns, or fails naming `function` if it has not ended within
/// `ENDS_WITHIN` (a lock taken twice never ends). A thread that hangs is
/// left behind: the test program ends with its last test.
pub fn ends_within<T: Send + 'static>(function: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = mpsc::channel();
    let thread = thread::spawn(move || {
        let _ = send.send(f());
    });
    match receive.recv_timeout(ENDS_WITHIN) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Disconnected) => match thread.join() {
            Err(panic) => std::panic::resume_unwind(panic), // its own failure
            Ok(()) => unreachable!("the thread sends before it ends"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{function} hung: still running after {ENDS_WITHIN:?} (a lock taken twice?)")
        }
    }
}

/// For an exercise's unit tests: runs `increment(x, 20_000_000)` on one
/// thread while this one watches `x`. Did it ever see a value between the
/// start and the end? An answer that adds 1 at a time, each addition
/// reaching `x`, is seen growing; one that adds all at once, or counts in
/// a local variable and stores it at the end, is not. (On one CPU too: a
/// thread that adds 20 million times is interrupted many times.)
pub fn seen_growing(increment: fn(&AtomicU64, u64)) -> bool {
    const ITERS: u64 = 20_000_000;
    let x = AtomicU64::new(0);
    thread::scope(|s| {
        let adding = s.spawn(|| increment(&x, ITERS));
        let mut seen = false;
        while !adding.is_finished() {
            seen |= (1..ITERS).contains(&x.load(Relaxed));
        }
        seen
    })
}

/// The text of function `name`'s body in `source`, comments left out: for
/// an exercise's tests of what running cannot show (an ordering that this
/// CPU happens to honour anyway).
pub fn body_of(source: &str, name: &str) -> String {
    let start = source.find(&format!("fn {name}(")).unwrap_or_else(|| panic!("no fn {name}"));
    let open = start + source[start..].find('{').expect("a body");
    let mut depth = 0;
    for (i, c) in source[open..].char_indices() {
        depth += match c {
            '{' => 1,
            '}' => -1,
            _ => 0,
        };
        if depth == 0 {
            let body = &source[open..=open + i];
            let code = body.lines().map(|line| line.split("//").next().unwrap_or(""));
            return code.collect::<Vec<_>>().join("\n");
        }
    }
    panic!("fn {name} has no end");
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
        assert!(seen_growing(one_at_a_time));
        assert!(!seen_growing(all_at_once));
    }

    #[test]
    fn body_of_finds_a_body_without_its_comments() {
        let source = "fn a() {}\nfn b(x: u8) {\n    if x { y() } // SeqCst\n}\n";
        assert_eq!(body_of(source, "b"), "{\n    if x { y() } \n}");
    }
}
