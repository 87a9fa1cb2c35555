//! The Python version of the counter does not compile in Rust. Both snippets
//! are compiled with the toolchain's rustc: the fixed one must compile (so a
//! failure of the other is the borrow checker's, not the harness's), and the
//! Python one must fail with E0499, "cannot borrow `x` as mutable more than
//! once at a time".

use std::path::Path;
use std::process::{Command, Output};

fn compile(snippet: &str) -> Output {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snippets");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{snippet}.rmeta"));
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    Command::new(rustc)
        .args(["--edition", "2024", "--crate-type", "lib", "--emit", "metadata", "-o"])
        .arg(out)
        .arg(dir.join(format!("{snippet}.rs")))
        .output()
        .expect("rustc runs")
}

#[test]
fn the_atomic_counter_compiles() {
    let output = compile("atomic_counter");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn the_python_counter_is_rejected_by_the_borrow_checker() {
    let output = compile("python_counter");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("error[E0499]"), "{stderr}");
}
