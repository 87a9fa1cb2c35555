//! For an exercise's tests: judging who did the work, from what the workers
//! themselves recorded (the timeline's record, `TIMING_RECORD`), never from
//! how long anything took. Portable: the runs that make a record are
//! started by `linux.rs` (`judge_answer`).

use crate::{Recorded, Span};

/// What a run of an answer must show its workers did.
#[derive(Clone, Copy, Debug)]
pub struct Expect<'a> {
    /// The function judged, named in every message.
    pub function: &'a str,
    /// The workers the run asked for.
    pub workers: usize,
    /// Exactly that many workers (one per chunk), or at most (a pool).
    pub exactly: bool,
    /// Each task `0..tasks` computed exactly once, by a worker.
    pub tasks: Option<usize>,
    /// The work done, added up over every computing span (elements summed,
    /// rows drawn).
    pub size: Option<usize>,
    /// What counts as working at the same time: `computing`, or for the
    /// process sums, taking input too.
    pub working: &'a [&'a str],
}

impl<'a> Expect<'a> {
    /// A run of `function` with `workers` workers, each computing.
    pub fn new(function: &'a str, workers: usize) -> Expect<'a> {
        Expect {
            function,
            workers,
            exactly: true,
            tasks: None,
            size: None,
            working: &["computing"],
        }
    }
}

/// Judges one recorded run: `Err` says what is wrong, naming the function;
/// `Ok` says whether two workers worked at the same time (a busy machine,
/// or one CPU, may not let them: the caller may run it again).
pub fn judge(run: &Recorded, expect: &Expect) -> Result<bool, String> {
    let f = expect.function;
    let computing = |s: &&Span| s.doing == "computing";
    if run.spans.iter().filter(computing).any(|s| s.worker == "main") {
        return Err(format!(
            "{f}: the parent computed part of the work itself ({}): leave it to the workers",
            run.title
        ));
    }
    if !run.spans.iter().any(|s| s.doing == "computing") {
        return Err(format!(
            "{f}: no worker was seen computing ({}): have the workers compute with the \
             lesson's function that the todo! names, which records what each does",
            run.title
        ));
    }
    let workers: Vec<&String> = run.workers.iter().filter(|w| *w != "main").collect();
    let (n, asked) = (workers.len(), expect.workers);
    if (expect.exactly && n != asked) || n > asked {
        let how = if expect.exactly { "one per chunk" } else { "at most" };
        let ran = if n == 1 { "1 worker was" } else { &format!("{n} workers were") };
        return Err(format!(
            "{f}: {ran} recorded where {asked} were asked for ({how}; workers started one \
             after another, each in a pool of its own, are each that pool's worker 0)"
        ));
    }
    if let Some(tasks) = expect.tasks {
        let mut done = vec![0; tasks];
        for span in run.spans.iter().filter(computing) {
            match span.task {
                Some(task) if task < tasks => done[task] += 1,
                other => {
                    return Err(format!(
                        "{f}: a worker computed task {other:?}, not one of 0..{tasks}"
                    ));
                }
            }
        }
        if let Some(task) = done.iter().position(|&d| d > 1) {
            return Err(format!(
                "{f}: task {task} was computed {} times: give each task once",
                done[task]
            ));
        }
        if let Some(task) = done.iter().position(|&d| d == 0) {
            return Err(format!("{f}: no worker computed task {task}"));
        }
    }
    if let Some(size) = expect.size {
        let done: usize = run.spans.iter().filter(computing).map(|s| s.size).sum();
        if done != size {
            return Err(format!(
                "{f}: the workers computed {done} of {size} between them: each element once, by a worker"
            ));
        }
    }
    let busy: Vec<&&String> = workers
        .iter()
        .filter(|w| run.spans.iter().filter(computing).any(|s| &s.worker == **w))
        .collect();
    let work = expect.tasks.unwrap_or(usize::MAX).min(expect.size.unwrap_or(usize::MAX));
    if asked >= 2 && work >= 2 && busy.len() < 2 {
        return Err(format!(
            "{f}: only {} of the {asked} workers computed anything: share the work out",
            busy.len()
        ));
    }
    Ok(asked < 2 || work < 2 || at_once(run, expect.working))
}

/// Did two workers work (a span doing one of `working`) at the same time,
/// for a quarter of the shorter one's span at least?
/// Workers that take their input in blocks (`input`) count from their
/// blocks before the last two: a parent that writes to one worker after
/// another is done with one when the pipe holds the rest, so that its last
/// two blocks (the one it computes, the one in the pipe) meet the next
/// one's first, and no more.
pub fn at_once(run: &Recorded, working: &[&str]) -> bool {
    let last_block = |worker: &str| {
        let inputs = run.spans.iter().filter(|s| s.worker == worker && s.doing == "input");
        let mut starts: Vec<f64> = inputs.map(|s| s.from).collect();
        starts.sort_by(f64::total_cmp);
        starts.iter().rev().nth(1).or(starts.last()).copied().unwrap_or(f64::INFINITY)
    };
    let spans: Vec<&Span> = run
        .spans
        .iter()
        .filter(|s| working.contains(&s.doing.as_str()) && s.worker != "main" && s.to > s.from)
        .filter(|s| !working.contains(&"input") || s.from < last_block(&s.worker))
        .collect();
    // A quarter of the shorter span at least: a worker process's spans are
    // placed on the parent's clock a pipe's delay late, and two tasks one
    // after another may seem to touch.
    let together = |a: &Span, b: &Span| {
        let shared = a.to.min(b.to) - a.from.max(b.from);
        a.worker != b.worker && shared > 0.25 * (a.to - a.from).min(b.to - b.from)
    };
    spans.iter().any(|a| spans.iter().any(|b| together(a, b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(worker: &str, doing: &str, from: f64, to: f64, task: Option<usize>) -> Span {
        let (worker, doing) = (worker.to_string(), doing.to_string());
        Span { worker, doing, from, to, task, size: 1 }
    }

    fn run(spans: Vec<Span>) -> Recorded {
        let mut workers: Vec<String> = Vec::new();
        for span in &spans {
            if !workers.contains(&span.worker) {
                workers.push(span.worker.clone());
            }
        }
        Recorded { title: "test".into(), wall: 10.0, workers, spans }
    }

    #[test]
    fn a_pool_that_shares_its_tasks_at_once_is_right() {
        let pool = run(vec![
            span("worker 0", "computing", 0.0, 1.0, Some(0)),
            span("worker 1", "computing", 0.5, 1.5, Some(1)),
            span("worker 0", "computing", 1.0, 2.0, Some(2)),
        ]);
        let expect = Expect { tasks: Some(3), exactly: false, ..Expect::new("f", 2) };
        assert_eq!(judge(&pool, &expect), Ok(true));
        // One task at a time across the pool: right tasks, never at once.
        let one_by_one = run(vec![
            span("worker 0", "computing", 0.0, 1.0, Some(0)),
            span("worker 1", "computing", 1.0, 2.0, Some(1)),
            span("worker 0", "computing", 2.0, 3.0, Some(2)),
        ]);
        assert_eq!(judge(&one_by_one, &expect), Ok(false));
        // Placed a little late, one after another still.
        let placed_late = run(vec![
            span("worker 0", "computing", 0.0, 1.05, Some(0)),
            span("worker 1", "computing", 1.0, 2.05, Some(1)),
            span("worker 0", "computing", 2.0, 3.05, Some(2)),
        ]);
        assert_eq!(judge(&placed_late, &expect), Ok(false));
    }

    #[test]
    fn workers_fed_one_after_another_meet_only_at_their_last_blocks() {
        let block = |worker, doing, from| span(worker, doing, from, from + 1.0, None);
        let expect = Expect { working: &["input", "computing"], ..Expect::new("f", 2) };
        let one_after_another = run(vec![
            block("worker 0", "input", 0.0),
            block("worker 0", "computing", 1.0),
            block("worker 0", "input", 2.0), // its last two blocks ...
            block("worker 0", "computing", 3.0),
            block("worker 0", "input", 4.0),
            block("worker 1", "input", 3.5), // ... meet the next one's first
            block("worker 1", "computing", 4.5),
            block("worker 1", "input", 5.5),
        ]);
        assert!(!at_once(&one_after_another, expect.working));
        let together: Vec<Span> = (0..4)
            .flat_map(|k| {
                [block("worker 0", "input", k as f64), block("worker 1", "input", k as f64 + 0.5)]
            })
            .collect();
        let together = run(together);
        assert!(at_once(&together, expect.working));
    }

    #[test]
    fn work_done_twice_missed_or_by_the_parent_is_wrong() {
        let expect = Expect { tasks: Some(2), exactly: false, ..Expect::new("f", 2) };
        let twice = run(vec![
            span("worker 0", "computing", 0.0, 1.0, Some(0)),
            span("worker 1", "computing", 0.0, 1.0, Some(0)),
        ]);
        assert!(judge(&twice, &expect).unwrap_err().contains("task 0 was computed 2 times"));
        let missed = run(vec![span("worker 0", "computing", 0.0, 1.0, Some(0))]);
        assert!(judge(&missed, &expect).unwrap_err().contains("no worker computed task 1"));
        let parent = run(vec![
            span("worker 0", "waiting", 0.0, 1.0, None),
            span("main", "computing", 0.0, 1.0, Some(0)),
        ]);
        assert!(judge(&parent, &expect).unwrap_err().contains("the parent computed"));
        let alone = run(vec![
            span("worker 0", "computing", 0.0, 1.0, Some(0)),
            span("worker 0", "computing", 1.0, 2.0, Some(1)),
            span("worker 1", "waiting", 0.0, 2.0, None),
        ]);
        assert!(judge(&alone, &expect).unwrap_err().contains("only 1 of the 2 workers"));
        let unrecorded = run(vec![span("worker 0", "waiting", 0.0, 1.0, None)]);
        assert!(judge(&unrecorded, &expect).unwrap_err().contains("no worker was seen computing"));
    }
}
