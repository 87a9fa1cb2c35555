//! The lecture's random arrays, the same file in every lesson that sums one
//! (a check fails when a copy drifts): numpy's two calls, seedable with
//! `--seed`, and one clear line when memory will not hold the array.
#![allow(dead_code)] // the same file everywhere: not every lesson uses every part

use anyhow::{Context, Result};
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

/// `np.random.randint(1, 100, size=n)`: n integers in 1..=99.
pub fn randint(n: usize, seed: Option<u64>) -> Result<Vec<i64>> {
    let mut rng = generator(seed);
    let mut arr = room_for(n)?;
    arr.extend((0..n).map(|_| rng.random_range(1..100)));
    Ok(arr)
}

/// `np.random.rand(n)`: n floats in [0, 1).
pub fn rand(n: usize, seed: Option<u64>) -> Result<Vec<f64>> {
    let mut rng = generator(seed);
    let mut arr = room_for(n)?;
    arr.extend((0..n).map(|_| rng.random::<f64>()));
    Ok(arr)
}

/// The same numbers for the same seed; new ones without.
fn generator(seed: Option<u64>) -> SmallRng {
    match seed {
        Some(seed) => SmallRng::seed_from_u64(seed),
        None => rand::make_rng(),
    }
}

/// An empty Vec with room for `n` numbers, or one line saying there is none.
fn room_for<T>(n: usize) -> Result<Vec<T>> {
    let mut arr = Vec::new();
    arr.try_reserve_exact(n).with_context(|| format!("not enough memory for {n} numbers"))?;
    Ok(arr)
}
