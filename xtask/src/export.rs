//! `cargo xtask export NAME DIR`: one lesson as a Cargo project of its own.
//!
//! The export's `Cargo.toml` is the lesson's own with this workspace's
//! shared settings appended, word for word: versions, lints and the
//! optimising dev profile, so that `cargo run` there times as honestly as
//! here.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::{exercise, lessons};

/// Copies lesson `name` into `dir` as a standalone project; as an exercise,
/// with the functions that are its lesson left to write (see `exercise`).
pub fn export(name: &str, dir: &Path, as_exercise: bool) -> Result<()> {
    let lesson = lessons::named(name);
    let lesson = lesson
        .with_context(|| format!("no lesson {name:?}; the lessons are {}", lessons::names()))?;
    let exercise = match as_exercise {
        true => Some(lesson.exercise()?.with_context(|| format!("{name} has no exercise"))?),
        false => None,
    };
    let is_empty = |dir: &Path| fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none());
    if dir.exists() && !is_empty(dir) {
        bail!("{} is not empty: give a new or empty folder", dir.display());
    }
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).parent().context("xtask lives in the workspace")?;

    let manifest = without_metadata(&read(&root.join(name).join("Cargo.toml"))?);
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut used = manifest.clone();
    for helper in ["timing", "testkit"] {
        used += &read(&root.join(helper).join("Cargo.toml"))?;
    }
    write(&dir.join("Cargo.toml"), &(manifest + &workspace_settings(root, &used)?))?;
    for part in ["src", "tests"] {
        copy_dir(&root.join(name).join(part), &dir.join(part))?;
    }
    for helper in ["timing", "testkit"] {
        write(&dir.join(helper).join("Cargo.toml"), &read(&root.join(helper).join("Cargo.toml"))?)?;
        copy_dir(&root.join(helper).join("src"), &dir.join(helper).join("src"))?;
    }
    for file in ["Cargo.lock", "LICENSE-MIT", "LICENSE-APACHE", "rustfmt.toml"] {
        fs::copy(root.join(file), dir.join(file)).with_context(|| format!("cannot copy {file}"))?;
    }
    write(&dir.join(".gitignore"), "/target\n")?;
    if let Some(exercise) = &exercise {
        let main = read(&dir.join("src/main.rs"))?;
        write(&dir.join("src/main.rs"), &exercise::cut(&main, &exercise.functions)?)?;
        // The lesson's tests against a hostile user test what the student
        // does not write, and fail right answers written another way.
        let cli = dir.join("tests/cli.rs");
        fs::remove_file(&cli).with_context(|| format!("cannot remove {}", cli.display()))?;
        let has_procs = dir.join("src/procs.rs").exists();
        write(&dir.join("README.md"), &exercise::readme(name, exercise, has_procs))?;
        write(&dir.join("ANSWERS.md"), &exercise::answers(name, exercise))?;
    } else {
        write(&dir.join("README.md"), &readme(lesson, &read(&dir.join("src/main.rs"))?))?;
    }
    Ok(())
}

/// Tells where the export went, and what to type there.
pub fn tell(name: &str, dir: &Path, as_exercise: bool) -> Result<()> {
    let mut stdout = io::stdout();
    writeln!(stdout, "{name} is now a project of its own in {}:", dir.display())?;
    match name {
        "vec_add_mpi" => writeln!(
            stdout,
            "  cd {} && cargo build && mpirun -np 2 target/debug/vec_add_mpi",
            dir.display()
        )?,
        _ if as_exercise => writeln!(
            stdout,
            "  cd {} and read README.md: write what src/main.rs leaves as todo!, then cargo test",
            dir.display()
        )?,
        _ => writeln!(stdout, "  cd {} && cargo run", dir.display())?,
    }
    Ok(())
}

/// A plain export's README: what the lesson is (its `main.rs`'s opening
/// comment), the commands, and where its page is.
fn readme(lesson: &lessons::Lesson, main: &str) -> String {
    let name = &lesson.name;
    let about: Vec<&str> = main
        .lines()
        .map_while(|line| line.strip_prefix("//!"))
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect();
    let script = match lesson.script.as_str() {
        "" => String::new(),
        script => format!(", answering the lecture's `{script}`"),
    };
    let timeline = format!("cargo run -- --timeline {name}.svg");
    let commands: &[(&str, &str)] = match name.as_str() {
        "vec_add_mpi" => &[
            ("cargo build", ""),
            ("mpirun -np 2 target/debug/vec_add_mpi", "two ranks"),
            ("cargo test", "its tests start mpirun"),
        ],
        _ => &[
            ("cargo run", "the lesson, with the lecture's constants"),
            ("cargo run -- --help", "its flags"),
            (&timeline, "its timelines as a picture"),
            ("cargo test", "its tests"),
        ],
    };
    let width = commands.iter().map(|(command, _)| command.len()).max().unwrap_or(0);
    let commands: Vec<String> = commands
        .iter()
        .map(|(command, what)| match what.is_empty() {
            true => command.to_string(),
            false => format!("{command:width$}  # {what}"),
        })
        .collect();
    let timelines = match name.as_str() {
        "vec_add_mpi" => "",
        _ => " (and \"Reading a timeline\", for the rows its runs print)",
    };
    format!(
        "# {name}\n\nOne lesson of a Rust companion to a lecture on parallelism and concurrency{script}, \
         taken out of the course's workspace by `cargo xtask export`.\n\n{}\n\n\
         ```sh\n{}\n```\n\nIts page in the course's workspace: `docs/lessons.md`, \
         section \"{name}\"{timelines}.\n",
        about.join("\n").trim(),
        commands.join("\n")
    )
}

/// The workspace's shared settings, for a project of one lesson: the
/// `[workspace]` of the lesson and its two helpers, then this workspace's
/// `[workspace.package]`, lints and `[profile.dev]`, as they are written
/// here, and of `[workspace.dependencies]` only those that `used` (the
/// lesson's and its helpers' manifests) names, each with its comment.
fn workspace_settings(root: &Path, used: &str) -> Result<String> {
    let manifest = read(&root.join("Cargo.toml"))?;
    // The section's header line, not a mention of it in a comment.
    let start = manifest
        .find("\n[workspace.package]\n")
        .context("the workspace's Cargo.toml has a [workspace.package]")?
        + 1;
    let mut settings = String::new();
    let (mut in_dependencies, mut comment) = (false, String::new());
    for line in manifest[start..].lines() {
        if line.starts_with('[') {
            in_dependencies = line == "[workspace.dependencies]";
        }
        let name = line.split([' ', '=']).next().unwrap_or("");
        match () {
            _ if !in_dependencies || line.starts_with('[') || line.is_empty() => {
                settings += &comment;
                comment.clear();
                settings += line;
                settings += "\n";
            }
            _ if line.starts_with('#') => comment += &format!("{line}\n"),
            _ => {
                let uses = |form: &str| used.contains(&format!("\n{name}{form}"));
                if uses(".workspace = true") || uses(" = { workspace = true") {
                    settings += &comment;
                    settings += line;
                    settings += "\n";
                }
                comment.clear();
            }
        }
    }
    Ok(format!(
        "\n# Taken out of the lecture's workspace by `cargo xtask export`.\n\
         [workspace]\nresolver = \"3\"\nmembers = [\"timing\", \"testkit\"]\n\n{settings}"
    ))
}

/// A lesson's manifest without what the workspace's tools read
/// (`[package.metadata.lesson]` and the comment before it).
fn without_metadata(manifest: &str) -> String {
    let Some(start) = manifest.find("\n[package.metadata.lesson]\n") else {
        return manifest.to_string();
    };
    let start = manifest[..start].rfind("\n\n").map_or(start, |blank| blank + 1);
    let rest = &manifest[start..];
    let end = rest[1..].find("\n[").map_or(manifest.len(), |next| start + next + 2);
    format!("{}{}", &manifest[..start], &manifest[end..])
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    if !from.exists() {
        return Ok(()); // a lesson without tests/
    }
    fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)
                .with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}
