//! The same pool with threads (`--threads`), for a reader who wants to
//! compare: the same file in squares and integrate_sin (a check fails when a
//! copy drifts), tested once, in `copies/`.

use std::sync::Mutex;
use std::thread;

/// `pool.map(f, items)` with `workers` threads: each takes the next task from
/// one queue that all of them share, until none is left, and puts its result
/// where the task's belongs, so the results come back in input order.
pub fn map_in_threads<T, R>(items: &[T], workers: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R>
where
    T: Sync,
    R: Send + Clone + Default,
{
    let tasks = Mutex::new(items.iter().enumerate()); // the one queue
    let next = || timing::waiting().then(|| tasks.lock().expect("no panic holding it").next());
    let results = Mutex::new(vec![R::default(); items.len()]);
    thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                while let Some((i, x)) = next() {
                    let result = timing::computing().task(i).then(|| f(x));
                    results.lock().expect("no thread panics holding it")[i] = result;
                }
            });
        }
    });
    results.into_inner().expect("no thread panics holding it")
}
