//! `cargo xtask export`: what comes out is a Cargo project of its own, with
//! the optimising dev profile; CI builds and tests every export (`.ci/run`).

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_xtask");

fn export(name: &str, dir: &Path) -> Output {
    let output = Command::new(BIN).args(["export", name]).arg(dir).output();
    output.expect("xtask runs")
}

fn fresh(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn an_export_is_a_project_of_its_own_with_the_fast_dev_profile() {
    let dir = fresh("export-squares");
    let output = export("squares", &dir);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    for file in
        ["src/main.rs", "src/procs.rs", "tests/cli.rs", "timing/src/lib.rs", "testkit/src/lib.rs"]
    {
        assert!(dir.join(file).is_file(), "{file} is missing");
    }
    for file in ["Cargo.lock", "LICENSE-MIT", "LICENSE-APACHE", "rustfmt.toml", ".gitignore"] {
        assert!(dir.join(file).is_file(), "{file} is missing");
    }
    // A short README: what the lesson is, the commands, where its page is.
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    assert!(readme.starts_with("# squares\n"), "{readme}");
    assert!(readme.contains("answering the lecture's `squares.py`"), "{readme}");
    assert!(readme.contains("\ncargo run -- --help "), "{readme}");
    assert!(readme.contains("`docs/lessons.md`, section \"squares\""), "{readme}");
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(manifest.starts_with("[package]\nname = \"squares\""), "{manifest}");
    assert!(manifest.contains("[profile.dev]\nopt-level = 3\n"), "{manifest}");
    // Only what the lesson uses: none of the tools' crates, nor MPI.
    for tool in ["plotters", "indicatif", "syn", "proc-macro2", "mpi ="] {
        assert!(!manifest.contains(tool), "{tool} in {manifest}");
    }
    assert!(manifest.contains("\nclap = ") && !manifest.contains("\nquadrature"), "{manifest}");

    // Cargo reads it as a workspace of its own, the three packages in it.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let metadata = Command::new(cargo)
        .args(["metadata", "--offline", "--no-deps", "--format-version", "1"])
        .current_dir(&dir)
        .output()
        .expect("cargo runs");
    let text = String::from_utf8_lossy(&metadata.stdout);
    assert!(metadata.status.success(), "{}", String::from_utf8_lossy(&metadata.stderr));
    for package in ["squares", "timing", "testkit"] {
        assert!(text.contains(&format!("\"name\":\"{package}\"")), "{package}");
    }
    assert!(text.contains(&format!("\"workspace_root\":\"{}\"", dir.display())));
}

#[test]
fn unknown_lessons_and_full_folders_are_refused() {
    let output = export("no_such_lesson", &fresh("export-unknown"));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).starts_with("error: no lesson \"no_such_lesson\"")
    );

    let dir = fresh("export-full");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("mine.txt"), "a student's file").unwrap();
    let output = export("vec_add", &dir);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not empty"));
    assert_eq!(std::fs::read_to_string(dir.join("mine.txt")).unwrap(), "a student's file");
}

#[test]
fn an_exercise_leaves_the_lessons_functions_to_write_and_says_what_to_do() {
    let dir = fresh("export-exercise");
    let output =
        Command::new(BIN).args(["export", "integrate_sin"]).arg(&dir).arg("--exercise").output();
    let output = output.expect("xtask runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let main = std::fs::read_to_string(dir.join("src/main.rs")).unwrap();
    assert!(main.contains("fn map_in_processes("), "the signature stays");
    assert!(main.contains("todo!(\"map_in_processes: "), "its body is the exercise");
    assert!(main.contains("fn slow_integrate_sin("), "the rest stays");
    assert!(
        main.contains("#[allow(unused_variables)] // until it is written\nfn map_in_processes(")
    );
    assert!(dir.join("src/procs.rs").is_file() && dir.join("tests/exercise.rs").is_file());
    // The lesson's tests against a hostile user judge what the student does
    // not write: an exercise's `cargo test` judges the exercise alone.
    assert!(!dir.join("tests/cli.rs").exists(), "tests/cli.rs is left out");
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    assert!(readme.contains("with a pool of `workers` worker processes (4 by default"), "{readme}");
    assert!(readme.contains("`TASK X`") && readme.contains("procs.next_answer()?"), "{readme}");
    let answers = std::fs::read_to_string(dir.join("ANSWERS.md")).unwrap();
    assert!(answers.contains("## Is the parallel version faster?"), "{answers}");
    assert!(readme.contains("Parallel time: 0.1523 seconds"), "{readme}");

    // vec_add_mpi has no exercise: refused before anything is written.
    let dir = fresh("export-exercise-mpi");
    let output =
        Command::new(BIN).args(["export", "vec_add_mpi"]).arg(&dir).arg("--exercise").output();
    let output = output.expect("xtask runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("vec_add_mpi has no exercise"));
    assert!(!dir.exists());
}
