//! `cargo xtask battery`: answers to the exercises, wrong ones and right
//! ones written differently, each judged by its exercise's own `cargo test`
//! as a student's would be; it says which got the verdict they deserve.
//!
//! An answer is a file `xtask/battery/LESSON/NAME.rs`: its first line says
//! what it is (`//! wrong: ...`, `//! right: ...`, or `//! by hand: ...`
//! for a wrong one the tests cannot tell from a right one, which the
//! exercise's README asks the teacher to look for), then come the
//! functions it writes, each replacing the lesson's function of that name
//! (other items, such as a helper, go at the end of `main.rs`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::thread;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use syn::spanned::Spanned;

use crate::{exercise, export, lessons};

/// `cargo xtask battery`'s flags.
#[derive(clap::Args)]
pub struct Options {
    /// Only these lessons' answers (all by default)
    lessons: Vec<String>,
    /// Only the answers whose name contains this
    #[arg(long, value_name = "TEXT")]
    only: Option<String>,
    /// Judge every answer this many times
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    runs: u32,
    /// Keep this many CPUs busy meanwhile, as a busy laptop is
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=64))]
    busy: u32,
}

/// One answer of the battery.
pub struct Answer {
    pub name: String,
    /// Right (the tests must pass) or wrong (they must fail).
    pub right: bool,
    /// Wrong in a way only a reader sees: the tests pass.
    pub by_hand: bool,
    /// What it is, in a few words.
    pub what: String,
    pub source: String,
}

impl Answer {
    fn kind(&self) -> &'static str {
        match (self.right, self.by_hand) {
            (true, _) => "right",
            (false, false) => "wrong",
            (false, true) => "by hand",
        }
    }
}

/// The folder of the battery's answers.
fn folder() -> PathBuf {
    lessons::root().join("xtask/battery")
}

/// Every answer of `lesson`, by name.
pub fn answers(lesson: &str) -> Result<Vec<Answer>> {
    let dir = folder().join(lesson);
    let mut answers = Vec::new();
    let Ok(entries) = fs::read_dir(&dir) else { return Ok(answers) };
    for entry in entries {
        let path = entry?.path();
        let name = path.file_stem().context("a file name")?.to_string_lossy().into_owned();
        let source =
            fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let first = source.lines().next().unwrap_or_default();
        let (right, by_hand, what) = match first
            .strip_prefix("//! ")
            .and_then(|l| l.split_once(": "))
        {
            Some(("right", what)) => (true, false, what.to_string()),
            Some(("wrong", what)) => (false, false, what.to_string()),
            Some(("by hand", what)) => (false, true, what.to_string()),
            _ => bail!(
                "{}: the first line is `//! right: ...`, `//! wrong: ...` or `//! by hand: ...`",
                path.display()
            ),
        };
        answers.push(Answer { name, right, by_hand, what, source });
    }
    answers.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(answers)
}

/// The lesson's `main.rs` with `answer`'s functions in place of its own of
/// the same names (`functions`, the exercise's: `work`, or `SpinLock::lock`
/// for a method, which the answer writes in an `impl SpinLock`), the rest
/// of it at the end.
pub fn apply(main: &str, answer: &str, functions: &[String]) -> Result<String> {
    let lesson = syn::parse_file(main).context("the lesson's main.rs does not parse")?;
    let answer_file = syn::parse_file(answer).context("the answer does not parse")?;
    let (mut written, mut rest) = (Vec::new(), String::new());
    for item in &answer_file.items {
        let mut writes = Vec::new(); // (its name, its text: from `fn` to its end)
        match item {
            syn::Item::Fn(f) => writes.push((f.sig.ident.to_string(), &f.sig, &*f.block)),
            syn::Item::Impl(i) => {
                let owner = exercise::type_name(&i.self_ty).unwrap_or_default();
                for item in &i.items {
                    if let syn::ImplItem::Fn(f) = item {
                        writes.push((format!("{owner}::{}", f.sig.ident), &f.sig, &f.block));
                    }
                }
            }
            _ => {}
        }
        writes.retain(|(name, _, _)| functions.contains(name));
        if writes.is_empty() {
            rest += &format!("\n{}\n", &answer[item.span().byte_range()]);
        }
        for (name, sig, block) in writes {
            let Some(found) = exercise::find(&lesson, &name) else {
                bail!("no function {name} in the lesson")
            };
            let text = &answer[sig.span().byte_range().start..block.span().byte_range().end];
            written.push((found.whole(), text.to_string()));
        }
    }
    if written.is_empty() {
        bail!("the answer writes none of {functions:?}");
    }
    written.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut main = main.to_string();
    for (range, text) in written {
        main.replace_range(range, &text);
    }
    Ok(main + &rest)
}

/// A verdict: did its tests pass, and the first thing a failure said.
struct Verdict {
    passed: bool,
    said: String,
}

pub fn battery(options: &Options) -> Result<()> {
    let stop = AtomicBool::new(false);
    thread::scope(|s| {
        for _ in 0..options.busy {
            s.spawn(|| {
                while !stop.load(Relaxed) {
                    std::hint::spin_loop();
                }
            });
        }
        let result = judge_all(options);
        stop.store(true, Relaxed);
        result
    })
}

fn judge_all(options: &Options) -> Result<()> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| lessons::root().join("target"), PathBuf::from);
    let (mut judged, mut undeserved, mut table) = (0, Vec::new(), Vec::new());
    for lesson in lessons::all() {
        if !options.lessons.is_empty() && !options.lessons.contains(&lesson.name) {
            continue;
        }
        let Some(exercise) = lesson.exercise()? else { continue };
        let functions: Vec<String> = exercise.functions.iter().map(|f| f.name.clone()).collect();
        let answers = answers(&lesson.name)?;
        let chosen =
            answers.iter().filter(|a| options.only.as_ref().is_none_or(|o| a.name.contains(o)));
        let dir = target.join("battery").join(&lesson.name);
        let _ = fs::remove_dir_all(&dir);
        export::export(&lesson.name, &dir, true)?;
        let main = fs::read_to_string(lesson.dir().join("src/main.rs"))?;
        for answer in chosen {
            let source = apply(&main, &answer.source, &functions)
                .with_context(|| format!("{}/{}", lesson.name, answer.name))?;
            fs::write(dir.join("src/main.rs"), source)?;
            let (mut green, mut said) = (0, String::new());
            for _ in 0..options.runs {
                let start = Instant::now();
                let verdict = run_tests(&dir, &target.join("battery-build"))?;
                green += u32::from(verdict.passed);
                if said.is_empty() {
                    said.clone_from(&verdict.said);
                }
                let deserved = verdict.passed == (answer.right || answer.by_hand);
                judged += 1;
                println!(
                    "{:<14} {:<34} {:<7} {:<5} {:>5.1} s  {}{}",
                    lesson.name,
                    answer.name,
                    answer.kind(),
                    if verdict.passed { "green" } else { "red" },
                    start.elapsed().as_secs_f64(),
                    if deserved { "" } else { "NOT AS DESERVED: " },
                    verdict.said,
                );
                if !deserved {
                    undeserved.push(format!("{}/{}", lesson.name, answer.name));
                }
            }
            let red = options.runs - green;
            table.push(format!(
                "| {} | `{}`: {} | {} | {} | {} |",
                lesson.name,
                answer.name,
                answer.what,
                if answer.right || answer.by_hand { "green" } else { "red" },
                match (green, red) {
                    (_, 0) => "green".to_string(),
                    (0, _) => "red".to_string(),
                    _ => format!("green {green}, red {red}"),
                },
                said.replace('|', "\\|"),
            ));
        }
        fs::remove_dir_all(&dir)?;
    }
    println!("\n| lesson | answer | deserves | got | the first failure said |");
    println!("|---|---|---|---|---|");
    for row in table {
        println!("{row}");
    }
    println!("\n{judged} verdicts, {} not as deserved", undeserved.len());
    match undeserved.is_empty() {
        true => Ok(()),
        false => bail!("not as deserved: {}", undeserved.join(", ")),
    }
}

/// Runs `cargo test` in `dir` as a student does, and reads its verdict.
fn run_tests(dir: &Path, target: &Path) -> Result<Verdict> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["test", "--offline"])
        .env("CARGO_TARGET_DIR", target)
        .env("RUST_BACKTRACE", "0")
        .current_dir(dir)
        .output()
        .context("cannot start cargo test")?;
    let text = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
    let mut lines = text.lines();
    let said = match output.status.success() {
        true => String::new(),
        false if text.contains("error[E") || text.contains("error: could not compile") => {
            let error = text.lines().find(|l| l.starts_with("error"));
            format!("does not build: {}", error.unwrap_or_default())
        }
        false => {
            let panic = lines.find(|l| l.contains("panicked at")).and(lines.next());
            let error = || text.lines().find(|l| l.starts_with("error"));
            panic.or_else(error).unwrap_or("failed").to_string()
        }
    };
    Ok(Verdict { passed: output.status.success(), said })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_replaces_its_functions_and_adds_its_helpers() {
        let main = "/// Adds one.\nfn a(x: u32) -> u32 {\n    x + 1\n}\n\nfn b() {}\n";
        let answer = "//! wrong: adds two\nfn a(x: u32) -> u32 {\n    two(x)\n}\n\nfn two(x: u32) -> u32 {\n    x + 2\n}\n";
        let applied = apply(main, answer, &["a".into()]).unwrap();
        assert_eq!(
            applied,
            "/// Adds one.\nfn a(x: u32) -> u32 {\n    two(x)\n}\n\nfn b() {}\n\nfn two(x: u32) -> u32 {\n    x + 2\n}\n"
        );
        assert!(apply(main, "fn c() {}", &["a".into()]).is_err());
        // A method, written in an impl of its type.
        let main = "impl S {\n    fn m(&self) -> u8 {\n        1\n    }\n}\n";
        let answer = "//! right: two\nimpl S {\n    fn m(&self) -> u8 {\n        2\n    }\n}\n";
        let applied = apply(main, answer, &["S::m".into()]).unwrap();
        assert_eq!(applied, "impl S {\n    fn m(&self) -> u8 {\n        2\n    }\n}\n");
    }

    #[test]
    fn every_answer_says_what_it_is_and_writes_its_exercise() {
        let mut count = 0;
        for lesson in lessons::all() {
            let Some(exercise) = lesson.exercise().unwrap() else { continue };
            let functions: Vec<String> =
                exercise.functions.iter().map(|f| f.name.clone()).collect();
            let main = fs::read_to_string(lesson.dir().join("src/main.rs")).unwrap();
            for answer in answers(&lesson.name).unwrap() {
                apply(&main, &answer.source, &functions)
                    .unwrap_or_else(|e| panic!("{}/{}: {e:#}", lesson.name, answer.name));
                count += 1;
            }
        }
        assert!(count > 0, "the battery has answers");
    }
}
