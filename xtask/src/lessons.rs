//! The lessons, listed once: the workspace's members that are lessons, in
//! its order (the workspace's `Cargo.toml`), each with what the tools know
//! of it, read from its own `Cargo.toml` (`[package.metadata.lesson]`), and
//! its exercise from the `exercise.toml` beside it. A new lesson is a new
//! member with those two: nothing here names one.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, Result};
use serde::Deserialize;

/// The workspace's folder.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace")
}

/// One lesson, as the tools know it.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    #[serde(skip)]
    pub name: String,
    /// The lecture's Python script it answers ("" for none).
    #[serde(default)]
    #[cfg_attr(not(feature = "measure"), allow(dead_code))]
    pub script: String,
    /// Does it take `--threads`?
    #[serde(default)]
    #[cfg_attr(not(feature = "measure"), allow(dead_code))]
    pub threads: bool,
    /// Is it an MPI program, run by `mpirun` (and not a default member)?
    #[serde(default)]
    pub mpi: bool,
    /// Does it start worker processes (it has `src/procs.rs`)?
    #[serde(skip)]
    pub processes: bool,
    /// How `cargo xtask measure` runs it.
    #[cfg_attr(not(feature = "measure"), allow(dead_code))]
    pub measure: Measure,
    /// What `cargo xtask windows-check` runs (none for MPI).
    #[cfg_attr(not(windows), allow(dead_code))]
    pub windows: Option<Windows>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(not(feature = "measure"), allow(dead_code))]
pub struct Measure {
    /// The flags of its size that `measure` may set (`n`, `iters`, ...).
    pub sizes: Vec<String>,
    /// What caps its speedup (`memory`, `cores`, `sleep TASKS`); none: no
    /// parallel phase to sweep.
    pub bound: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(not(windows), allow(dead_code))]
pub struct Windows {
    /// Its flags for each run with its lines checked.
    pub runs: Vec<String>,
    /// Flags that keep two workers busy a while, to end one, or the parent.
    pub workers: Option<String>,
    /// Flags for a short run, read one line of (a lesson with threads only).
    pub head: Option<String>,
}

/// A lesson's exercise, from its `exercise.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// The task, for the exercise's README.
    pub task: String,
    /// What the lecture printed ("" for the lessons beyond its scripts).
    #[serde(default)]
    pub lecture: String,
    /// What the student needs to know of the code around the functions.
    #[serde(default)]
    pub notes: String,
    /// What the tests cannot judge, for the teacher to read by hand.
    #[serde(default)]
    pub by_hand: String,
    /// The questions the student answers in ANSWERS.md.
    pub questions: Vec<String>,
    /// The functions to write, and what each one's `todo!` says.
    pub functions: Vec<Function>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Function {
    pub name: String,
    pub todo: String,
}

/// Every lesson, in the workspace's order.
pub fn all() -> &'static [Lesson] {
    static LESSONS: OnceLock<Vec<Lesson>> = OnceLock::new();
    LESSONS.get_or_init(|| read_all().unwrap_or_else(|err| panic!("the lessons: {err:#}")))
}

/// The lesson called `name`, if there is one.
pub fn named(name: &str) -> Option<&'static Lesson> {
    all().iter().find(|lesson| lesson.name == name)
}

/// Every lesson's name, as `a, b, c`.
pub fn names() -> String {
    all().iter().map(|lesson| lesson.name.as_str()).collect::<Vec<_>>().join(", ")
}

fn read_all() -> Result<Vec<Lesson>> {
    #[derive(Deserialize)]
    struct Root {
        workspace: Workspace,
    }
    #[derive(Deserialize)]
    struct Workspace {
        members: Vec<String>,
    }
    let root: Root = toml::from_str(&read(&root().join("Cargo.toml"))?)?;
    let mut lessons = Vec::new();
    for member in root.workspace.members {
        if let Some(mut lesson) = read_lesson(&root_of(&member))? {
            lesson.processes = root_of(&member).join("src/procs.rs").is_file();
            lesson.name = member;
            lessons.push(lesson);
        }
    }
    Ok(lessons)
}

/// A member's `[package.metadata.lesson]`, if it is a lesson.
fn read_lesson(dir: &Path) -> Result<Option<Lesson>> {
    #[derive(Deserialize)]
    struct Manifest {
        package: Package,
    }
    #[derive(Deserialize)]
    struct Package {
        metadata: Option<Metadata>,
    }
    #[derive(Deserialize)]
    struct Metadata {
        lesson: Option<Lesson>,
    }
    let path = dir.join("Cargo.toml");
    let manifest: Manifest =
        toml::from_str(&read(&path)?).with_context(|| format!("in {}", path.display()))?;
    Ok(manifest.package.metadata.and_then(|metadata| metadata.lesson))
}

/// The folder of member `name`.
fn root_of(name: &str) -> PathBuf {
    root().join(name)
}

impl Lesson {
    /// Its folder.
    pub fn dir(&self) -> PathBuf {
        root_of(&self.name)
    }

    /// Its exercise, if it has one (an `exercise.toml` beside its `src/`).
    pub fn exercise(&self) -> Result<Option<Exercise>> {
        let path = self.dir().join("exercise.toml");
        if !path.is_file() {
            return Ok(None);
        }
        let exercise = toml::from_str(&read(&path)?);
        Ok(Some(exercise.with_context(|| format!("in {}", path.display()))?))
    }
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lesson_is_read_and_every_exercise_too() {
        let names: Vec<&str> = all().iter().map(|l| l.name.as_str()).collect();
        assert!(names.starts_with(&["vec_add", "vec_add_shm"]), "{names:?}");
        assert!(!names.contains(&"timing") && !names.contains(&"xtask"), "{names:?}");
        for lesson in all() {
            assert!(lesson.dir().join("src/main.rs").is_file(), "{}", lesson.name);
            assert_eq!(lesson.windows.is_none(), lesson.mpi, "{}", lesson.name);
            lesson.exercise().unwrap();
        }
        assert!(named("squares").is_some_and(|l| l.processes && l.threads));
        assert!(named("race_threads").is_some_and(|l| !l.processes));
    }
}
