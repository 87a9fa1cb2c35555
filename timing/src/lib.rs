//! The lecture's timing lines in Rust, read the same way:
//!
//! ```
//! let start = timing::now(); //       start = time.time()
//! let total: u64 = (1..=100).sum();
//! let time = timing::since(start); // time.time() - start
//! println!("Sum: {total}, time = {time:.3} s");
//! assert!(time >= 0.0);
//! ```
//!
//! Whatever lies between the two lines is timed, `?` included. The first
//! `since` of a program built without optimisation says so on stderr, before
//! any time is printed: such times are not worth comparing.
//!
//! A parallel run is also recorded, to show which worker did what, and when:
//! `let start = timing::record();` in place of `now()`, and after its lines
//! `timing::finish("2 processes").print(&mut out, None)?` draws the timeline.
//! Workers note what they do (`let _t = timing::computing().task(i);`);
//! worker processes send their notes with their answers (`report`, `place`).

mod picture;
mod record;

use std::io::Write;
use std::time::Instant;

pub use picture::RECORD_FILE;
pub use record::{
    Doing, Guard, Notes, Span, Timeline, computing, doing, finish, place, record, report, started,
    waiting,
};

/// `time.time()`, as the start of a timed region. `Instant` is monotonic,
/// unlike Python's `time.time()`, so a clock adjustment during the run
/// cannot make a time negative.
pub fn now() -> Instant {
    Instant::now()
}

/// `time.time() - start`: the seconds since `start`.
pub fn since(start: Instant) -> f64 {
    let seconds = start.elapsed().as_secs_f64();
    warn_if_unoptimised();
    seconds
}

/// Says once on stderr, before any time is printed, that this program was
/// built without optimisation (cargo's default dev profile: a copy that left
/// the workspace's `[profile.dev]` behind), so its times are up to 10x too slow.
fn warn_if_unoptimised() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    if cfg!(debug_assertions) {
        ONCE.call_once(|| {
            let warning =
                "warning: built without optimisation: the times below are up to 10x too slow";
            let _ = writeln!(std::io::stderr(), "{warning}");
        });
    }
}

#[cfg(test)]
mod tests {
    use super::{now, since};
    use std::thread::sleep;
    use std::time::Duration;

    #[test]
    fn measures_at_least_the_time_spent() {
        let start = now();
        sleep(Duration::from_millis(20));
        let time = since(start);
        assert!(time >= 0.020, "{time}");
    }

    #[test]
    fn a_later_look_sees_more_time() {
        let start = now();
        let first = since(start);
        sleep(Duration::from_millis(1));
        assert!(since(start) > first);
    }
}
