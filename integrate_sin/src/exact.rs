//! Checking, not the lesson: a reader can skip this file. A result that
//! cannot be right is never reported as right: every integral is checked
//! against its closed form before the run goes on.

use anyhow::{Result, ensure};

use crate::TOLERANCE;

/// Each integral of sin from 0 to x is 1 - cos x (written 2 sin^2(x/2), with
/// no cancellation): `result` must be `reps` times that, within quad's
/// tolerance for each integral and the rounding of adding them up. Past
/// x = 398 the rule misses its tolerance (at x = 10000 it says -1130.6,
/// not 1.95), as scipy's `quad` warns it may: a run says so and fails.
pub fn check(x: f64, reps: u32, result: f64) -> Result<()> {
    let reps = f64::from(reps);
    let exact = 2.0 * (x / 2.0).sin().powi(2);
    let allowed = reps * TOLERANCE + reps * reps * f64::EPSILON * 2.0;
    ensure!(
        (result - reps * exact).abs() <= allowed,
        "the integral of sin from 0 to {x} came out {}, but 1 - cos x = {exact}: the quadrature \
         misses its tolerance over so long an interval (use fewer --tasks)",
        result / reps
    );
    Ok(())
}

/// `check` for every interval and its result.
pub fn check_all(intervals: &[f64], reps: u32, results: &[f64]) -> Result<()> {
    intervals.iter().zip(results).try_for_each(|(&x, &result)| check(x, reps, result))
}
