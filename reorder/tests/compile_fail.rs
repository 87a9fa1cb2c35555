//! Python cannot say in what order memory is written; Rust will not let an
//! atomic be used without saying it. Both snippets are compiled with the
//! toolchain's rustc: the one that names its orderings must compile (so a
//! failure of the other is the compiler's answer, not the harness's), and
//! the Python one must fail with E0061, "this method takes 2 arguments but 1
//! argument was supplied".

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
fn the_store_and_load_with_orderings_compile() {
    let output = compile("named_ordering");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn the_python_store_and_load_are_refused_without_an_ordering() {
    let output = compile("python_store_load");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("error[E0061]"), "{stderr}");
    assert!(stderr.contains("Ordering"), "{stderr}");
}
