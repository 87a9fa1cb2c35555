//! The pieces that are copied, not shared, so that every lesson can be taken
//! out on its own: each copy must stay the same as the others, to the byte.

use std::fs;
use std::path::Path;

/// Every lesson that starts worker processes has the same `src/procs.rs`.
#[test]
fn every_process_lesson_has_the_same_procs_rs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let lessons = [
        "vec_add",
        "vec_add_shm",
        "heavy_sum",
        "race_procs",
        "locked_counter",
        "squares",
        "integrate_sin",
        "mandelbrot",
    ];
    let first = fs::read(root.join(lessons[0]).join("src/procs.rs")).unwrap();
    for lesson in lessons {
        let path = root.join(lesson).join("src/procs.rs");
        let copy = fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        assert!(
            copy == first,
            "{} differs from vec_add's: change every copy alike",
            path.display()
        );
        let main = fs::read_to_string(root.join(lesson).join("src/main.rs")).unwrap();
        assert!(main.contains("\nmod procs;\n"), "{lesson} uses its procs.rs");
    }
}

/// The lessons that start only threads have no procs.rs: each carries the
/// same `exit`, `is_broken_pipe` and `number` in its main.rs, with their docs.
#[test]
fn every_thread_lesson_has_the_same_helpers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let lessons = ["race_threads", "false_sharing", "reorder"];
    let helpers = |lesson: &str, names: &[&str]| -> Vec<String> {
        let main = fs::read_to_string(root.join(lesson).join("src/main.rs")).unwrap();
        names
            .iter()
            .map(|name| {
                let start = main.find(&format!("\nfn {name}")).unwrap_or_else(|| {
                    panic!("{lesson}: no fn {name}");
                });
                // From its doc comment to the closing brace at the start of a line.
                let docs = main[..start].rfind("\n\n").unwrap();
                let end = start + main[start..].find("\n}\n").unwrap();
                main[docs..end].to_string()
            })
            .collect()
    };
    let first = helpers(lessons[0], &["exit", "is_broken_pipe", "number"]);
    for lesson in lessons {
        assert!(
            helpers(lesson, &["exit", "is_broken_pipe", "number"]) == first,
            "{lesson}'s helpers differ from race_threads': change every copy alike"
        );
    }
    // vec_add_mpi reads its flags' numbers the same way.
    assert!(
        helpers("vec_add_mpi", &["number"]) == helpers(lessons[0], &["number"]),
        "vec_add_mpi's number differs from race_threads': change every copy alike"
    );
}
