//! `value.rs` (`mp.Value`), tested once for both its copies.

#[path = "../../vec_add/src/procs.rs"]
mod procs;
#[path = "../../race_procs/src/value.rs"]
mod value;

use std::thread;
use std::time::Duration;

use value::{Shared, Value};

#[test]
fn the_lock_excludes_a_second_taker_until_released() {
    let x = Value::new(0);
    let held = x.get_lock();
    assert!(x.is_locked());
    thread::scope(|s| {
        let waiter = s.spawn(|| x.get_lock().get());
        thread::sleep(Duration::from_millis(50));
        assert!(!waiter.is_finished(), "the get waits for the lock");
        held.set(7);
        drop(held);
        assert_eq!(waiter.join().unwrap(), 7);
    });
    assert!(!x.is_locked());
}

#[test]
fn the_shared_value_starts_at_zero_and_every_mapping_sees_it() {
    let a = Shared::new().unwrap();
    assert_eq!(a.get(), 0);
    a.set(41);
    a.fetch_add(1);
    assert_eq!(a.get(), 42);
    // The file, as a worker gets it, holds the same value.
    let file = a.file().unwrap();
    let map = memmap2::MmapRaw::map_raw(&file).unwrap();
    assert_eq!(map.len(), 16, "parent, gate, lock, value");
}
