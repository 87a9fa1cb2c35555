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
//! Whatever lies between the two lines is timed, `?` included. A lesson's
//! `run` starts with `timing::warn_if_unoptimised()`: times from an
//! unoptimised build are not worth comparing.

use std::io::Write;
use std::time::Instant;

/// `time.time()`, as the start of a timed region. `Instant` is monotonic,
/// unlike Python's `time.time()`, so a clock adjustment during the run
/// cannot make a time negative.
pub fn now() -> Instant {
    Instant::now()
}

/// `time.time() - start`: the seconds since `start`.
pub fn since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64()
}

/// Says on stderr, before any time is printed, that this program was built
/// without optimisation (cargo's default dev profile: a copy that left the
/// workspace's `[profile.dev]` behind), so its times are up to 10x too slow.
pub fn warn_if_unoptimised() {
    if cfg!(debug_assertions) {
        let warning = "warning: built without optimisation: the times below are up to 10x too slow";
        let _ = writeln!(std::io::stderr(), "{warning}");
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
