//! `cargo xtask export NAME DIR --exercise`: a lesson as an assignment. Its
//! `exercise.toml` (beside its `src/`) says which functions are the
//! exercise: their bodies are left to the student, a `todo!` saying what to
//! write; everything else stays as it is (the Python-shaped `run`, the
//! timing, the printed lines, `procs.rs`). Change that file to change an
//! exercise. The lesson's unit tests in `src/main.rs` and its
//! `tests/exercise.rs` judge the student's answer; its `tests/cli.rs`, which
//! tests the parts the student does not write against a hostile user, is
//! left out of the export.

use anyhow::{Context, Result, bail};
use syn::spanned::Spanned;

use crate::lessons::{Exercise, Function};

/// `source` with the body of each of `functions` replaced by its `todo!`.
/// Only those bodies change: the rest of the text stays as it was written.
pub fn cut(source: &str, functions: &[Function]) -> Result<String> {
    let file = syn::parse_file(source).context("the lesson's main.rs does not parse")?;
    let mut bodies = Vec::new();
    for Function { name, todo } in functions {
        let Some(f) = find(&file, name) else { bail!("no function {name} in the lesson") };
        let indent = source[..f.start].rsplit('\n').next().unwrap_or("");
        // todo!'s text is a format string: its braces are doubled.
        let todo = todo.replace('{', "{{").replace('}', "}}");
        bodies.push((f.body, format!("{{\n{indent}    todo!({todo:?})\n{indent}}}")));
        // Until it is written, its arguments are unused: say nothing of them.
        let allow = format!("#[allow(unused_variables)] // until it is written\n{indent}");
        bodies.push((f.start..f.start, allow));
    }
    bodies.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut cut = source.to_string();
    for (range, todo) in bodies {
        cut.replace_range(range, &todo);
    }
    Ok(cut)
}

/// Where a function of a file stands: from its `fn` (or `pub`) to its end,
/// and its body.
pub struct Found {
    pub start: usize,
    pub body: std::ops::Range<usize>,
}

impl Found {
    pub fn whole(&self) -> std::ops::Range<usize> {
        self.start..self.body.end
    }
}

/// Function `name` of `file`: `work`, or a method, `SpinLock::lock` (in an
/// `impl` of that type, a trait's too: `SpinGuard::drop`).
pub fn find(file: &syn::File, name: &str) -> Option<Found> {
    let found = |vis: &syn::Visibility, sig: &syn::Signature, block: &syn::Block| {
        let start = match vis {
            syn::Visibility::Inherited => sig.span().byte_range().start,
            vis => vis.span().byte_range().start,
        };
        Found { start, body: block.span().byte_range() }
    };
    let (owner, name) = name.rsplit_once("::").map_or((None, name), |(t, n)| (Some(t), n));
    file.items.iter().find_map(|item| match (item, owner) {
        (syn::Item::Fn(f), None) if f.sig.ident == name => Some(found(&f.vis, &f.sig, &f.block)),
        (syn::Item::Impl(i), Some(owner)) if type_name(&i.self_ty).as_deref() == Some(owner) => {
            i.items.iter().find_map(|item| match item {
                syn::ImplItem::Fn(f) if f.sig.ident == name => {
                    Some(found(&f.vis, &f.sig, &f.block))
                }
                _ => None,
            })
        }
        _ => None,
    })
}

/// `SpinGuard` of `SpinGuard<'_>`.
pub fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The exercise's README: the task, the functions, the commands, what the
/// tests judge and what they cannot, and what the lecture printed.
/// `has_procs`: the lesson starts worker processes (it has `src/procs.rs`).
pub fn readme(lesson: &str, exercise: &Exercise, has_procs: bool) -> String {
    let mut text = format!(
        "# Exercise: {lesson}\n\n{}\n\nWrite, in `src/main.rs`, the function{} marked `todo!`:\n\n",
        exercise.task.trim(),
        if exercise.functions.len() > 1 { "s" } else { "" }
    );
    for Function { name, todo } in &exercise.functions {
        let what = todo.split_once(": ").map_or(todo.as_str(), |(_, what)| what);
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
        text += &format!("\n{}\n", exercise.notes.trim());
    }
    text += "\n```sh\ncargo run            # your program, with its defaults\n\
             cargo run -- --help  # its flags\n\
             cargo test           # judges your answer\n```\n\n\
             `cargo test` runs the unit tests at the end of `src/main.rs` and \
             `tests/exercise.rs`: a failure names the function it judged and says what \
             it saw. An answer that hangs is stopped and named: a thread after 30 s, a program after 90 s. The \
             lesson's tests of what a hostile user does (killing workers, full \
             disks, Ctrl-C) test the code you did not write: they stay in the course's \
             workspace.\n";
    text += "\nThen answer, in `ANSWERS.md`:\n\n";
    for question in &exercise.questions {
        text += &format!("- {question}\n");
    }
    if !exercise.by_hand.is_empty() {
        text += &format!("\nFor the teacher, what the tests cannot judge: {}\n", exercise.by_hand);
    }
    if !exercise.lecture.is_empty() {
        text += "\nWhat the lecture printed:\n\n```text\n";
        text += exercise.lecture.trim();
        text += "\n```\n";
    }
    text
}

/// The exercise's ANSWERS.md: its questions, with room for the answers.
pub fn answers(lesson: &str, exercise: &Exercise) -> String {
    let mut text = format!("# Answers: {lesson}\n");
    for question in &exercise.questions {
        text += &format!("\n## {question}\n\n\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons;

    fn function(name: &str, todo: &str) -> Function {
        Function { name: name.to_string(), todo: todo.to_string() }
    }

    #[test]
    fn cut_replaces_only_the_bodies_named() {
        let source = "/// Doc.\nfn a(x: u32) -> u32 {\n    x + 1\n}\n\nfn b() {}\n";
        let cut = cut(source, &[function("a", "a: add one")]).unwrap();
        assert_eq!(
            cut,
            "/// Doc.\n#[allow(unused_variables)] // until it is written\n\
             fn a(x: u32) -> u32 {\n    todo!(\"a: add one\")\n}\n\nfn b() {}\n"
        );
        assert!(super::cut(source, &[function("c", "")]).is_err());
        let method = "impl S {\n    fn m(&self) -> u8 {\n        1\n    }\n}\n";
        assert_eq!(
            super::cut(method, &[function("S::m", "S::m: return S { one }")]).unwrap(),
            "impl S {\n    #[allow(unused_variables)] // until it is written\n    \
             fn m(&self) -> u8 {\n        todo!(\"S::m: return S {{ one }}\")\n    }\n}\n"
        );
    }

    #[test]
    fn every_exercise_names_functions_its_lesson_has() {
        for lesson in lessons::all() {
            let Some(exercise) = lesson.exercise().unwrap() else { continue };
            let main = std::fs::read_to_string(lesson.dir().join("src/main.rs")).unwrap();
            let cut = cut(&main, &exercise.functions).unwrap();
            for Function { name, .. } in &exercise.functions {
                assert!(cut.contains(&format!("todo!(\"{name}: ")), "{}: {name}", lesson.name);
            }
            assert!(lesson.dir().join("tests/exercise.rs").is_file(), "{}", lesson.name);
        }
    }
}
