//! `pool.rs`, tested once for both its copies.

#[path = "../../squares/src/pool.rs"]
mod pool;

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

#[test]
fn the_thread_pool_returns_every_result_in_input_order() {
    let numbers: Vec<u64> = (0..23).collect();
    for workers in [1, 4, 30] {
        let squares = pool::map_in_threads(&numbers, workers, |&x| x * x);
        assert_eq!(squares, numbers.iter().map(|x| x * x).collect::<Vec<_>>());
    }
}

#[test]
fn each_task_is_done_once_by_one_of_the_threads() {
    let done = AtomicUsize::new(0);
    let me = format!("{:?}", std::thread::current().id());
    let results = pool::map_in_threads(&[1, 2, 3, 4, 5], 3, |&x: &u8| {
        done.fetch_add(usize::from(x), Relaxed);
        format!("{:?}", std::thread::current().id())
    });
    assert_eq!(done.into_inner(), 15);
    assert!(!results.contains(&me), "the caller did none");
}
