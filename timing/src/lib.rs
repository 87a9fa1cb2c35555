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
    Doing, Guard, Notes, Span, Timeline, computing, doing, finish, input, place, record, report,
    started, waiting,
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
    use super::*;
    use std::sync::{Mutex, MutexGuard, PoisonError};
    use std::thread::sleep;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    /// The record is one per program: the tests that make one take turns.
    fn alone() -> MutexGuard<'static, ()> {
        static ONE: Mutex<()> = Mutex::new(());
        ONE.lock().unwrap_or_else(PoisonError::into_inner)
    }

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

    #[test]
    fn threads_note_what_they_do_each_on_a_row_of_its_own() {
        let _alone = alone();
        record();
        std::thread::scope(|s| {
            for task in 0..3 {
                s.spawn(move || {
                    let _outer = computing().task(task);
                    let _inner = computing().size(10); // part of the outer span
                    sleep(Duration::from_millis(5));
                });
            }
        });
        let timeline = finish("3 threads");
        assert_eq!(timeline.workers.len(), 3);
        let mut tasks = Vec::new();
        for (name, spans) in &timeline.workers {
            assert!(name.starts_with("thread "), "{name}");
            assert_eq!(spans.len(), 1, "{spans:?}");
            let span = spans[0];
            assert_eq!((span.doing, span.size), (Doing::Computing, 10));
            assert!(0.0 <= span.from && span.from < span.to && span.to <= timeline.wall);
            tasks.push(span.task.unwrap());
        }
        tasks.sort();
        assert_eq!(tasks, [0, 1, 2]);
        assert_eq!(timeline.busy().len(), 3);
    }

    #[test]
    fn nothing_is_noted_without_a_record() {
        let _alone = alone();
        let _ = finish("none");
        drop(computing().task(1));
        assert!(report().is_empty());
        assert!(finish("still none").workers.is_empty());
    }

    #[test]
    fn a_full_buffer_halves_its_detail_and_a_slow_piece_is_mostly_waiting() {
        let _alone = alone();
        record();
        let start = std::time::Instant::now();
        let at = |micros| start + Duration::from_micros(micros);
        {
            let mut notes = Notes::of_worker(0, 4);
            for k in 0..8 {
                notes.note(Doing::Computing, at(10 * k), at(10 * k + 10), None, 1);
            }
            assert_eq!(notes.computing().len(), 4, "halved once, then filled again");
            notes.mark_slow_as_waiting();
        }
        {
            let mut notes = Notes::of_worker(1, 16);
            for k in 0..5 {
                notes.note(Doing::Computing, at(10 * k), at(10 * k + 10), None, 1);
            }
            notes.note(Doing::Computing, at(50), at(5_050), None, 1); // 500 times longer
            notes.mark_slow_as_waiting();
        }
        let timeline = finish("notes");
        let sizes: usize = timeline.workers[0].1.iter().map(|s| s.size).sum();
        assert_eq!(sizes, 8, "no work lost in halving");
        let last = &timeline.workers[1].1;
        assert_eq!(last[last.len() - 2].doing, Doing::Waiting);
        assert_eq!(last[last.len() - 1].doing, Doing::Computing);
    }

    #[test]
    fn a_worker_process_report_is_read_back_and_placed() {
        let _alone = alone();
        let start = record();
        started(0, start);
        let received = start + Duration::from_millis(5);
        place(0, received, "@2000 w0-100 c100-1900:7/3").unwrap();
        assert!(place(0, received, "@x").is_err());
        sleep(Duration::from_millis(6)); // the run lasts past the answer
        let timeline = finish("1 process");
        let spans = &timeline.workers[0].1;
        let doings: Vec<Doing> = spans.iter().map(|s| s.doing).collect();
        assert_eq!(doings, [Doing::Starting, Doing::Waiting, Doing::Computing]);
        assert!((spans[0].to - 0.003).abs() < 1e-3, "it started 2 ms before its answer came");
        assert_eq!((spans[2].task, spans[2].size), (Some(7), 3));
    }

    #[test]
    fn a_report_read_late_is_placed_where_the_system_clock_says() {
        let _alone = alone();
        let start = record();
        let since = |at: SystemTime| at.duration_since(UNIX_EPOCH).unwrap().as_micros();
        let (parent, now) = (since(SystemTime::now()), Instant::now());
        let late = |ms| now + Duration::from_millis(ms); // read 8 ms after the worker's 2 ms
        for (worker, clock) in [(0, parent + 1000), (1, parent + 9000), (2, parent - 5000)] {
            started(worker, start);
            place(worker, late(10), &format!("@2000={clock} c100-1900")).unwrap();
        }
        sleep(Duration::from_millis(11));
        let timeline = finish("3 processes");
        let begun = |w: usize| timeline.workers[w].1[0].to; // the end of its `starting`
        assert!((begun(0) - 0.001).abs() < 5e-4, "the system's clock: 1 ms in");
        assert!((begun(1) - 0.008).abs() < 5e-4, "after the latest it can be: 8 ms in");
        assert!((begun(2) - 0.008).abs() < 5e-4, "before the parent started it: 8 ms in");
    }

    #[test]
    fn the_picture_is_within_80_columns_whatever_the_title_and_names_a_digit_task() {
        let span = |task| Span { doing: Doing::Computing, from: 0.0, to: 1.0, task, size: 0 };
        let timeline = Timeline {
            title: "a title far too long for one line of eighty columns, cut to fit".repeat(2),
            wall: 1.0,
            workers: vec![("worker 0".into(), vec![span(Some(13))]), ("worker 1".into(), vec![])],
        };
        let mut out = Vec::new();
        timeline.print(&mut out, None).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.lines().all(|line| line.chars().count() <= 80), "{text}");
        let rows: Vec<&str> = text.lines().filter(|l| l.contains(" |")).collect();
        assert_eq!(rows[0], format!(" worker 0 |{}|", "3".repeat(66)), "task 13's last digit");
        assert_eq!(rows[1], format!(" worker 1 |{}|", " ".repeat(66)), "idle");
        assert!(text.contains("Legend: ") && text.contains("0-9 computing a task"), "{text}");
    }
}
