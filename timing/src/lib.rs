//! Times a closure: the Rust counterpart of the lecture's
//! `start = time.time(); ...; elapsed = time.time() - start`.
//!
//! ```
//! let (sum, elapsed) = timing::time(|| (1..=100).sum::<u32>());
//! assert_eq!(sum, 5050);
//! println!("time = {:.3} s", elapsed.as_secs_f64());
//! ```

use std::time::{Duration, Instant};

/// Runs `f` once and returns its value together with how long it took.
///
/// `Instant` is monotonic, unlike Python's `time.time()`, so a clock
/// adjustment during the run cannot make a time negative.
pub fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed())
}

#[cfg(test)]
mod tests {
    use super::time;
    use std::thread::sleep;
    use std::time::Duration;

    #[test]
    fn returns_the_closures_value() {
        let (value, _) = time(|| "done");
        assert_eq!(value, "done");
    }

    #[test]
    fn measures_at_least_the_time_spent() {
        let (_, elapsed) = time(|| sleep(Duration::from_millis(20)));
        assert!(elapsed >= Duration::from_millis(20), "{elapsed:?}");
    }

    #[test]
    fn runs_the_closure_exactly_once() {
        let mut calls = 0;
        time(|| calls += 1);
        assert_eq!(calls, 1);
    }
}
