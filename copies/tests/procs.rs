//! `procs.rs`, tested once for all its copies: how the parent hears its
//! workers (here small `sh` scripts), and what a worker's report becomes.
#![cfg(unix)] // the workers here are shell scripts

#[path = "../../vec_add/src/procs.rs"]
mod procs;

use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};

use procs::Procs;

/// One test at a time: every `Procs` notes its workers in the one record
/// that `timing` keeps, and one of these tests reads it.
fn alone() -> MutexGuard<'static, ()> {
    static ONE: Mutex<()> = Mutex::new(());
    ONE.lock().unwrap_or_else(PoisonError::into_inner)
}

fn sh(script: &str) -> Child {
    let mut command = Command::new("sh");
    command.args(["-c", script]).stdin(Stdio::piped());
    command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
}

#[test]
fn procs_name_the_worker_that_ends_and_how() {
    let _alone = alone();
    let mut procs = Procs::new();
    procs.watch(sh("echo 0 0; exit 3"), 2).unwrap();
    assert_eq!(procs.next_line().unwrap(), (0, "0 0".to_string()));
    let err = procs.next_line().unwrap_err();
    assert_eq!(format!("{err:#}"), "worker 0 failed: exit status: 3");

    let mut procs = Procs::new();
    procs.watch(sh("echo extra"), 0).unwrap();
    let err = procs.join().unwrap_err();
    assert_eq!(format!("{err:#}"), "worker 0 answered \"extra\", unasked");
}

#[test]
fn a_worker_that_ends_owing_an_answer_fails_whatever_its_exit_code() {
    let _alone = alone();
    let mut procs = Procs::new();
    procs.watch(sh("sleep 30"), 1).unwrap();
    procs.watch(sh("exit 0"), 1).unwrap();
    let err = procs.next_line().unwrap_err();
    assert_eq!(format!("{err:#}"), "worker 1 failed: it ended without its answer (exit status: 0)");
    // A worker given a task owes its answer too.
    let mut procs = Procs::new();
    procs.watch(sh("read task"), 0).unwrap();
    procs.give(0, Some((1, 2)));
    let err = procs.next_line().unwrap_err();
    assert!(format!("{err:#}").contains("without its answer"), "{err:#}");
}

#[test]
fn join_takes_the_answers_still_owed_and_fails_a_worker_that_gave_none() {
    let _alone = alone();
    let mut procs = Procs::new();
    procs.watch(sh("echo done"), 1).unwrap();
    procs.join().unwrap();
    let mut procs = Procs::new();
    procs.watch(sh("exit 0"), 1).unwrap();
    let err = procs.join().unwrap_err();
    assert!(format!("{err:#}").contains("without its answer"), "{err:#}");
}

#[test]
fn a_workers_own_words_become_part_of_the_parents_one_line() {
    let _alone = alone();
    let mut procs = Procs::new();
    procs.watch(sh("echo 'error: worker: cannot do it' >&2; exit 1"), 1).unwrap();
    let err = procs.next_line().unwrap_err();
    assert_eq!(format!("{err:#}"), "worker 0 failed: cannot do it");
}

#[test]
fn a_pool_hears_each_answer_to_a_task_it_gave_and_nothing_else() {
    let _alone = alone();
    let echo = "while read task x; do echo \"$task $((x * x))\"; done";
    let mut procs = Procs::new();
    procs.watch(sh(echo), 0).unwrap();
    procs.give(0, Some((7, 3)));
    procs.give(0, None::<(usize, u32)>); // none left: nothing is sent
    assert_eq!(procs.next_answer::<u32>().unwrap(), (0, 7, 9));
    procs.close().unwrap();
    // An answer to a task it was not given, or that does not parse, ends the run.
    for answer in ["echo '8 64'", "echo '7 x'", "echo 7"] {
        let mut procs = Procs::new();
        procs.watch(sh(&format!("read task; {answer}")), 0).unwrap();
        procs.give(0, Some((7, 8)));
        let err = procs.next_answer::<u32>().unwrap_err();
        assert!(format!("{err:#}").contains("not `TASK RESULT` to a task it had"), "{err:#}");
    }
}

#[test]
fn a_workers_report_is_placed_on_the_parents_timeline() {
    let _alone = alone();
    timing::record();
    let mut procs = Procs::new();
    procs.watch(sh("printf '9\\t@100 c10-50:4/10\\n'"), 1).unwrap();
    assert_eq!(procs.next_line().unwrap(), (0, "9".to_string()));
    procs.join().unwrap();
    let timeline = timing::finish("test");
    let (name, spans) = &timeline.workers[0];
    assert_eq!(name, "worker 0");
    let doings: Vec<_> = spans.iter().map(|s| (s.doing, s.task, s.size)).collect();
    assert_eq!(
        doings,
        [(timing::Doing::Starting, None, 0), (timing::Doing::Computing, Some(4), 10)]
    );
    let computing = spans[1];
    assert!((computing.to - computing.from - 0.000_040).abs() < 1e-9, "{computing:?}");
    assert!(spans[0].to <= computing.from, "started before it computed");
    // A report that cannot be read ends the run, naming the worker.
    let mut procs = Procs::new();
    procs.watch(sh("printf '9\\t@x\\n'"), 1).unwrap();
    let err = procs.next_line().unwrap_err();
    assert!(format!("{err:#}").starts_with("worker 0 answered \"9\" with"), "{err:#}");
}

#[cfg(target_os = "linux")]
#[test]
fn dropping_procs_kills_and_reaps_every_worker() {
    let _alone = alone();
    let mut procs = Procs::new();
    let pid = procs.watch(sh("sleep 30"), 1).unwrap().id();
    drop(procs);
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
}
