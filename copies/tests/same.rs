//! Every copy of a file that lessons copy is the same, to the byte: change
//! one, change them all (`cp vec_add/src/procs.rs squares/src/`, ...).

use std::fs;
use std::path::{Path, PathBuf};

/// The workspace's folder.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("copies/ is in the workspace")
}

/// The lessons: the workspace's members that are programs, in its order.
fn lessons() -> Vec<String> {
    let manifest = fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let members = manifest.split("\nmembers = [").nth(1).unwrap().split(']').next().unwrap();
    let names = members.split(',').map(|m| m.trim().trim_matches('"').to_string());
    let names = names.filter(|m| !m.is_empty() && m != "xtask");
    names.filter(|m| root().join(m).join("src/main.rs").is_file()).collect()
}

/// The lessons that carry `file` in their `src/`.
fn copies_of(file: &str) -> Vec<PathBuf> {
    let paths = lessons().into_iter().map(|lesson| root().join(lesson).join("src").join(file));
    paths.filter(|path| path.is_file()).collect()
}

fn assert_all_the_same(file: &str, at_least: usize) {
    let copies = copies_of(file);
    assert!(copies.len() >= at_least, "{file}: only {copies:?}");
    let first = fs::read(&copies[0]).unwrap();
    for copy in &copies {
        assert!(
            fs::read(copy).unwrap() == first,
            "{} differs from {}: change every copy alike",
            copy.display(),
            copies[0].display()
        );
    }
}

#[test]
fn every_copy_of_each_file_is_the_same() {
    assert_all_the_same("procs.rs", 8);
    assert_all_the_same("cli.rs", 14);
    assert_all_the_same("random.rs", 3);
    assert_all_the_same("together.rs", 3);
    assert_all_the_same("value.rs", 2);
    assert_all_the_same("pool.rs", 2);
}

#[test]
fn a_lesson_that_carries_a_file_uses_it() {
    for file in ["procs", "cli", "random", "together", "value", "pool"] {
        for copy in copies_of(&format!("{file}.rs")) {
            let main = fs::read_to_string(copy.with_file_name("main.rs")).unwrap();
            assert!(
                main.contains(&format!("\nmod {file};\n")),
                "{}: no mod {file};",
                copy.display()
            );
        }
    }
}

#[test]
fn a_lesson_that_starts_workers_has_procs_rs() {
    for lesson in lessons() {
        let main = fs::read_to_string(root().join(&lesson).join("src/main.rs")).unwrap();
        if main.contains("current_exe()") {
            assert!(root().join(&lesson).join("src/procs.rs").is_file(), "{lesson}");
        }
    }
}
