//! `cargo xtask export NAME DIR --exercise`: a lesson as an assignment. The
//! table below says, once per lesson, which functions are the exercise:
//! their bodies are left to the student, a `todo!` saying what to write;
//! everything else stays as it is (the Python-shaped `run`, the timing, the
//! printed lines, `procs.rs`). Change the table to change an exercise. The
//! lesson's unit tests in `src/main.rs` and its `tests/exercise.rs` judge
//! the student's answer; its `tests/cli.rs`, which tests the parts the
//! student does not write against a hostile user, is left out of the export.

use anyhow::{Context, Result, bail};
use syn::spanned::Spanned;

/// One lesson's exercise.
pub struct Exercise {
    pub lesson: &'static str,
    /// The task, for the exercise's README.
    pub task: &'static str,
    /// The functions to write, and what each one's `todo!` says.
    pub functions: &'static [(&'static str, &'static str)],
    /// What the lecture printed, for the exercise's README ("" for the
    /// lessons beyond the lecture's scripts).
    pub lecture: &'static str,
    /// What the student needs to know of the code around the functions ("").
    pub notes: &'static str,
    /// What the tests cannot judge, for the teacher to read by hand ("").
    pub by_hand: &'static str,
    /// The questions the student answers in ANSWERS.md.
    pub questions: &'static [&'static str],
}

/// How a pool's parent talks to its workers (squares, integrate_sin).
const POOL_NOTES: &str = "How the pool talks to its workers: a worker reads lines `TASK X` on its stdin and answers `TASK RESULT` on its stdout (the task's index, then its result). `worker_command(args)?.spawn()?` starts a worker, and `procs.watch(worker, 0)?` watches it (it owes no answer yet); `give(&mut procs, i, tasks.next())` sends worker `i` the next task, if one is left, and returns which task that is (a worker owes an answer for every task it is given); `procs.next_line()?` waits for whichever worker answers first and returns `(i, line)`; `pair(&line)` reads `TASK RESULT` back into two numbers. Closing a worker's stdin (`drop(worker.stdin.take())`) tells it to end, and `procs.join()?` waits until every worker has.";

/// What no test sees in a thread version (vec_add, heavy_sum).
const THREADS_BY_HAND: &str = "Whether `sum_in_threads` starts every thread before it waits for any: joining each thread inside the loop that starts it gives the same sums one at a time, and how many threads ran at once leaves no trace the tests can read. Look for the joins after the loop (or the end of `thread::scope` after it).";

pub const EXERCISES: &[Exercise] = &[
    Exercise {
        lesson: "vec_add",
        task: "Sum the array in parallel, as vecAdd.py does with `pool.map(partial_sum, chunks)`: once in worker processes, each sent its chunk through a pipe, and once in threads that borrow their chunk. Compare the times with the sequential sum.",
        functions: &[
            (
                "sum_in_processes",
                "sum_in_processes: start one worker per chunk (worker_command()?.spawn()?, then procs.watch(worker, 1)?, which gives back the worker to take its stdin from), write the chunk's bytes to its stdin from a thread of its own (bytemuck::cast_slice), read each partial sum with procs.next_line(), then procs.join()",
            ),
            (
                "sum_in_threads",
                "sum_in_threads: one scoped thread per chunk (thread::scope), each returning partial_sum(chunk); the partial sums in chunk order",
            ),
        ],
        lecture: "Sequential sum: 2500190079, time = 0.034 s\nCPUs: 32\nParallel sum: 2500190079, time = 1.014 s\nSpeedup: 0.03x with 32 processes",
        notes: "",
        by_hand: THREADS_BY_HAND,
        questions: &[
            "Why do the processes lose to the sequential sum here, and do the threads? What does each process get that a thread does not need?",
        ],
    },
    Exercise {
        lesson: "vec_add_shm",
        task: "Sum the array in worker processes that share it, as vecAddF.py does with `shared_memory`: every worker maps the shared file and sums its own range; only the partial sums come back.",
        functions: &[(
            "sum_in_processes",
            "sum_in_processes: start num_procs workers, worker i on arr[i*n/num_procs .. (i+1)*n/num_procs] (worker_command(shm, start, end)?.spawn()?, then procs.watch(worker, 1)?), read each partial sum with procs.next_line(), then procs.join()",
        )],
        lecture: "Sequential sum: 2500130367, time = 0.029 s\nParallel sum: 2500130367, time = 0.047 s\nSpeedup: 0.62x with 32 processes",
        notes: "",
        by_hand: "",
        questions: &[
            "What crosses between the processes here, and what did vec_add's processes copy? How does the speedup compare?",
        ],
    },
    Exercise {
        lesson: "heavy_sum",
        task: "Compute the heavy sum (`x*x + sin(x)` per element) in parallel, as vecAddF-heavy.py does: once in worker processes, each sent its chunk through a pipe, and once in threads that borrow their chunk. Where do processes pay off, and where threads?",
        functions: &[
            (
                "sum_in_processes",
                "sum_in_processes: start one worker per chunk (worker_command()?.spawn()?, then procs.watch(worker, 1)?, which gives back the worker to take its stdin from), write the chunk's bytes to its stdin from a thread of its own (bytemuck::cast_slice), read each partial sum with procs.next_line(), then procs.join()",
            ),
            (
                "sum_in_threads",
                "sum_in_threads: one scoped thread per chunk (thread::scope), each returning heavy_sum(chunk); the partial sums in chunk order",
            ),
        ],
        lecture: "Sequential sum: 792804.28, time = 0.209 s\nParallel sum: 792804.28, time = 0.078 s\nSpeedup: 2.69x with 32 processes",
        notes: "",
        by_hand: THREADS_BY_HAND,
        questions: &["Where do processes pay off, and where threads? Why?"],
    },
    Exercise {
        lesson: "race_threads",
        task: "Ten threads each add 1 to one counter 100,000 times (threadP.py). A load then a store loses updates; fix it twice: with an atomic read-modify-write, and with a lock.",
        functions: &[
            (
                "increment_fetch_add",
                "increment_fetch_add: add 1 to x, iters times, each in one indivisible step (fetch_add)",
            ),
            (
                "increment_locked",
                "increment_locked: add 1 to the number in the Mutex, iters times, holding its lock across each read-modify-write",
            ),
        ],
        lecture: "1000000 (every run: the GIL lets one thread run at a time)",
        notes: "",
        by_hand: "Whether `increment_locked` takes the lock once per addition: a lock held across the whole loop is exact too, but the threads then count one after another.",
        questions: &[
            "Why does the racy `increment` lose updates, although each load and each store is atomic?",
            "Which of the two fixes is faster here, and why?",
        ],
    },
    Exercise {
        lesson: "race_procs",
        task: "Ten processes each add 1 to one counter in shared memory 100,000 times, without holding its lock, as threadP-B.py does: `counter.value += 1` is a get and then a set. Run it several times.",
        functions: &[(
            "increment",
            "increment: counter.value += 1, iters times, as Python does it: a get, then a set (counter.get(), counter.set(..)), each taking the lock on its own",
        )],
        lecture: "170066, 170233, 169227, 169344 (\"usually < 1000000 due to race conditions\")",
        notes: "",
        by_hand: "",
        questions: &[
            "How many updates were lost in your runs, and why? Where exactly can another process slip in?",
            "Why does Python lose updates too, though its processes take the lock for every get and every set?",
        ],
    },
    Exercise {
        lesson: "locked_counter",
        task: "Four processes each add 1 to one counter in shared memory 100,000 times, holding its lock across each increment (`with x.get_lock(): x.value += 1`), so that the count is exact.",
        functions: &[(
            "increment",
            "increment: with x.get_lock(): x.value += 1, iters times: hold the lock (x.get_lock()) across the get and the set",
        )],
        lecture: "Output is 400000",
        notes: "",
        by_hand: "",
        questions: &[
            "Why is the count exact now?",
            "What does the lock cost? Compare the two times the program prints.",
        ],
    },
    Exercise {
        lesson: "squares",
        task: "Compute the squares in parallel with a pool of worker processes, as `with Pool(4) as pool: pool.map(compute_square, numbers)` does: each worker gets a task, and the next one as soon as it has answered; the results in input order.",
        functions: &[(
            "map_in_processes",
            "map_in_processes: start min(workers, tasks) workers (worker_command(args)?.spawn()?, then procs.watch(worker, 0)?), give each a task (give), and as each answers (procs.next_line(), `TASK SQUARE`) store the square and give it the next task; then close their stdin and procs.join()",
        )],
        lecture: "Sequential time: 1.00 seconds\nParallel time: 0.32 seconds\nResults are the same: True",
        notes: POOL_NOTES,
        by_hand: "",
        questions: &[
            "With 4 workers, how does the parallel time compare with the sequential one, and why? What changes with 8 workers, or 2?",
        ],
    },
    Exercise {
        lesson: "integrate_sin",
        task: "The practical session's exercise. Compute the results by calling `slow_integrate_sin` for each interval in parallel, with a pool of `workers` worker processes (4 by default, as the Python's `Pool(4)`). Measure and print the time the parallel computation takes, and verify that the results from both methods are the same (`run` does both).",
        functions: &[(
            "map_in_processes",
            "map_in_processes: start min(workers, tasks) workers (worker_command(args)?.spawn()?, then procs.watch(worker, 0)?), give each an interval (give), and as each answers (procs.next_line(), `TASK RESULT`) store the result in input order and give it the next; then close their stdin and procs.join()",
        )],
        lecture: "Sequential time: 0.3819 seconds\nParallel time: 0.1523 seconds\nResults are the same: True",
        notes: POOL_NOTES,
        by_hand: "",
        questions: &["Is the parallel version faster? Why, or why not? (Try more `--reps`.)"],
    },
    Exercise {
        lesson: "mandelbrot",
        task: "Compute the Mandelbrot set's rows in parallel, with a pool of worker processes and with a pool of threads: each worker starts with a task (a range of rows), and takes the next one left as soon as it is done, as `pool.imap(render_rows, tasks)` does. `run` calls your pools twice: with one block of rows per worker, then with a few rows per task. Compare the busy times the program prints for the two.",
        functions: &[
            (
                "render_in_processes",
                "render_in_processes: start min(workers, tasks) workers (worker_command(args)?.spawn()?, then procs.watch(worker, 0)?), give each a task (give), and as each answers (procs.next_line(), `START BUSY PIXELS`: parse_answer) add its rows to the Rendered (rendered.add) and give it the next task; then close their stdin and procs.join()",
            ),
            (
                "render_in_threads",
                "render_in_threads: workers scoped threads (thread::Builder::new().spawn_scoped); thread i renders task i first (so that with one task per thread each renders its own block), then the next task left (an AtomicUsize shared by all, starting at workers), timing each task (timing::now, timing::since); then add every task's rows to a Rendered::new(grid, workers) as thread i's (rendered.add)",
            ),
        ],
        lecture: "",
        notes: "How the pool talks to its workers: a worker reads lines `START END` (a range of rows) on its stdin and answers `START BUSY PIXELS` on its stdout: the first row, the seconds it took, and the rows' pixels in hexadecimal. `worker_command(args)?.spawn()?` starts a worker, and `procs.watch(worker, 0)?` watches it (it owes no answer yet); `give(&mut procs, i, todo.next())`, with `let mut todo = tasks.iter();`, sends worker `i` the next task, if one is left, and returns its rows (a worker owes an answer for every task it is given); `procs.next_line()?` waits for whichever worker answers first and returns `(i, line)`; `parse_answer(&line, &rows, width)` reads the answer back. Closing a worker's stdin (`drop(worker.stdin.take())`) tells it to end, and `procs.join()?` waits until every worker has.",
        by_hand: "Whether `render_in_threads` starts every thread before it waits for any (joining each inside the loop that starts it renders the same image one thread at a time), and whether a thread that is done takes the next task left rather than a fixed share (the tests check that thread i renders task i first; how the rest is shared depends on timing).",
        questions: &[
            "With equal blocks of rows, which worker was busiest, and why? How long did the run take compared with that worker's busy time?",
            "What changes with a few rows per task? Try `--rows-per-task 1`, `50` and `1000`: what does each cost?",
        ],
    },
    Exercise {
        lesson: "false_sharing",
        task: "Each thread adds 1 to a counter of its own, so no value is shared; yet with the counters side by side the threads slow each other down, because they share a cache line. Give every counter a cache line of its own, then compare the two times with 1, 2 and 4 threads (`cargo run -- --workers 2`).",
        functions: &[
            (
                "increment",
                "increment: add 1 to counter, iters times, each addition an atomic fetch_add so that it reaches memory",
            ),
            (
                "padded_counters",
                "padded_counters: workers counters, each a 0 in an AtomicU64 padded to a cache line of its own (crossbeam_utils::CachePadded::new)",
            ),
        ],
        lecture: "",
        notes: "",
        by_hand: "",
        questions: &[
            "How much slower are the counters side by side, and why, when no value is shared?",
            "What happens with one thread, and with `taskset -c 0 cargo run`? Why?",
        ],
    },
    Exercise {
        lesson: "reorder",
        task: "Two threads: one stores x = 1 then loads y, the other stores y = 1 then loads x. If the CPU did one thing at a time, one load would see a 1. The Relaxed version is written and shows rounds where both loads saw 0. Write the same store and load with Release/Acquire, and with SeqCst; run it and compare the counts.",
        functions: &[
            (
                "store_then_load_release_acquire",
                "store_then_load_release_acquire: as store_then_load_relaxed above, store true into mine, then return theirs loaded, with the orderings this function is named for",
            ),
            (
                "store_then_load_seq_cst",
                "store_then_load_seq_cst: as store_then_load_relaxed above, store true into mine, then return theirs loaded, with the ordering this function is named for",
            ),
        ],
        lecture: "",
        notes: "",
        by_hand: "",
        questions: &[
            "Which ordering forbids r1 = r2 = 0, and why does Release/Acquire not?",
            "Why can a CPU let a load pass an earlier store at all?",
        ],
    },
];

/// The exercise of `lesson`, if it has one.
pub fn of(lesson: &str) -> Option<&'static Exercise> {
    EXERCISES.iter().find(|e| e.lesson == lesson)
}

/// `source` with the body of each of `functions` replaced by its `todo!`.
/// Only those bodies change: the rest of the text stays as it was written.
pub fn cut(source: &str, functions: &[(&str, &str)]) -> Result<String> {
    let file = syn::parse_file(source).context("the lesson's main.rs does not parse")?;
    let mut bodies = Vec::new();
    for &(name, todo) in functions {
        let body = file.items.iter().find_map(|item| match item {
            syn::Item::Fn(f) if f.sig.ident == name => Some(f.block.span().byte_range()),
            _ => None,
        });
        let Some(range) = body else { bail!("no function {name} in the lesson") };
        bodies.push((range, format!("{{\n    todo!({todo:?})\n}}")));
    }
    bodies.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut cut = source.to_string();
    for (range, todo) in bodies {
        cut.replace_range(range, &todo);
    }
    Ok(cut)
}

/// The exercise's README: the task, the functions, the commands, what the
/// tests judge and what they cannot, and what the lecture printed.
/// `has_procs`: the lesson starts worker processes (it has `src/procs.rs`).
pub fn readme(exercise: &Exercise, has_procs: bool) -> String {
    let mut text = format!(
        "# Exercise: {}\n\n{}\n\nWrite, in `src/main.rs`, the function{} marked `todo!`:\n\n",
        exercise.lesson,
        exercise.task,
        if exercise.functions.len() > 1 { "s" } else { "" }
    );
    for (name, todo) in exercise.functions {
        let what = todo.split_once(": ").map_or(*todo, |(_, what)| what);
        text += &format!("- `{name}`: {what}.\n");
    }
    text += "\nEverything else is written: `run` runs the experiments, times them and \
             prints what they found";
    text += match has_procs {
        true => {
            "; `src/procs.rs` starts, watches and ends the worker processes (you need not read it).\n"
        }
        false => ".\n",
    };
    if !exercise.notes.is_empty() {
        text += &format!("\n{}\n", exercise.notes);
    }
    text += "\n```sh\ncargo run            # your program, with its defaults\n\
             cargo run -- --help  # its flags\n\
             cargo test           # judges your answer\n```\n\n\
             `cargo test` runs the unit tests at the end of `src/main.rs` and \
             `tests/exercise.rs`: a failure names the function it judged and says what \
             it saw. An answer that hangs is stopped and named within 20 s. The \
             lesson's tests of what a hostile user does (killing workers, full \
             disks, Ctrl-C) test the code you did not write: they stay in the course's \
             workspace.\n";
    text += "\nThen answer, in `ANSWERS.md`:\n\n";
    for question in exercise.questions {
        text += &format!("- {question}\n");
    }
    if !exercise.by_hand.is_empty() {
        text += &format!("\nFor the teacher, what the tests cannot judge: {}\n", exercise.by_hand);
    }
    if !exercise.lecture.is_empty() {
        text += "\nWhat the lecture printed:\n\n```text\n";
        text += exercise.lecture;
        text += "\n```\n";
    }
    text
}

/// The exercise's ANSWERS.md: its questions, with room for the answers.
pub fn answers(exercise: &Exercise) -> String {
    let mut text = format!("# Answers: {}\n", exercise.lesson);
    for question in exercise.questions {
        text += &format!("\n## {question}\n\n\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_replaces_only_the_bodies_named() {
        let source = "/// Doc.\nfn a(x: u32) -> u32 {\n    x + 1\n}\n\nfn b() {}\n";
        let cut = cut(source, &[("a", "a: add one")]).unwrap();
        assert_eq!(
            cut,
            "/// Doc.\nfn a(x: u32) -> u32 {\n    todo!(\"a: add one\")\n}\n\nfn b() {}\n"
        );
        assert!(super::cut(source, &[("c", "")]).is_err());
    }

    #[test]
    fn every_exercise_names_functions_its_lesson_has() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        for exercise in EXERCISES {
            let main =
                std::fs::read_to_string(root.join(exercise.lesson).join("src/main.rs")).unwrap();
            let cut = cut(&main, exercise.functions).unwrap();
            for (name, _) in exercise.functions {
                assert!(cut.contains(&format!("todo!(\"{name}: ")), "{}: {name}", exercise.lesson);
            }
            assert!(
                root.join(exercise.lesson).join("tests/exercise.rs").is_file(),
                "{}",
                exercise.lesson
            );
        }
    }
}
