//! The exercise's tests (`cargo xtask export reorder DIR --exercise`): each
//! names the function it judges, and passes once that function is right.
//! What a weaker ordering allows is never asserted to happen: one CPU, or a
//! busy machine, may show no reordering at all.
#![cfg(target_os = "linux")]

use std::sync::atomic::Ordering::{self, AcqRel, Acquire, Release, SeqCst};

use testkit::{Access, assert_written, run_answer, texts};

const BIN: &str = env!("CARGO_BIN_EXE_reorder");

/// The rounds that ended with r1 = r2 = 0 on the line that starts with
/// `label`, and the rounds run.
fn both_zero(label: &str, function: &str) -> (u64, u64) {
    let output = run_answer(BIN, &["--rounds", "100000"], function);
    assert_written(&output, function);
    let stdout = texts(&output).0;
    let line = stdout.lines().find_map(|l| l.strip_prefix(label)).expect("the line is printed");
    let words: Vec<&str> = line.split_whitespace().collect();
    (words[0].parse().unwrap(), words[2].parse().unwrap())
}

#[test]
fn store_then_load_release_acquire_runs_every_round() {
    let (count, rounds) = both_zero("Release/Acquire:", "store_then_load_release_acquire");
    assert!((1..=100_000).contains(&rounds), "a busy machine may stop the run early");
    assert!(count <= rounds, "store_then_load_release_acquire");
}

#[test]
fn store_then_load_seq_cst_never_lets_both_loads_see_zero() {
    let (count, _) = both_zero("SeqCst:", "store_then_load_seq_cst");
    assert_eq!(count, 0, "store_then_load_seq_cst: {count} rounds ended with r1 = r2 = 0");
}

#[test]
fn store_fence_load_never_lets_both_loads_see_zero() {
    let (count, _) = both_zero("Relaxed + fence:", "store_fence_load");
    assert_eq!(count, 0, "store_fence_load: {count} rounds ended with r1 = r2 = 0");
}

#[test]
fn store_fence_load_has_a_seq_cst_fence_between_the_store_and_the_load() {
    let f = "store_fence_load";
    let (_, fences, _, all) = store_fences_load(f);
    assert!(
        fences.contains(&SeqCst),
        "{f}: no fence(SeqCst) between the store and the load ({all:?}): a weaker fence, a \
         compiler_fence, or one after the load, lets the load go first"
    );
}

/// The atomic accesses of `function` as written in src/main.rs, in order.
fn accesses(function: &str) -> Vec<Access> {
    let main = concat!(env!("CARGO_MANIFEST_DIR"), "/src/main.rs");
    let source = std::fs::read_to_string(main).expect("src/main.rs");
    testkit::accesses(&source, function).unwrap_or_else(|why| panic!("{function}: {why}"))
}

/// The store, the load, and the fences between them, of a store then a load.
fn store_fences_load(function: &str) -> (Ordering, Vec<Ordering>, Ordering, Vec<Access>) {
    let all = accesses(function);
    let store = all.iter().position(|a| matches!(a, Access::Store(_)));
    let load = all.iter().rposition(|a| matches!(a, Access::Load(_)));
    let (Some(store), Some(load)) = (store, load) else {
        panic!("{function}: a store into x, then a load of y: {all:?}")
    };
    assert!(store < load, "{function}: the store comes first, then the load: {all:?}");
    let (Access::Store(s), Access::Load(l)) = (all[store], all[load]) else { unreachable!() };
    let fences = all[store..load].iter().filter_map(|a| match a {
        Access::Fence(ordering) => Some(*ordering),
        _ => None,
    });
    (s, fences.collect(), l, all)
}

// What running cannot show: an x86-64 CPU never lets a load pass a SeqCst
// store, whatever ordering the load names; so these read what the code
// does, the orderings of its accesses in order, however they are named.

#[test]
fn store_then_load_seq_cst_orders_the_load_after_the_store() {
    let f = "store_then_load_seq_cst";
    let (store, fences, load, all) = store_fences_load(f);
    let both = store == SeqCst && load == SeqCst;
    assert!(
        both || fences.contains(&SeqCst),
        "{f}: nothing keeps the load behind the store ({all:?}): SeqCst for both, or a \
         fence(SeqCst) between them (a weaker fence, or one after the load, does not)"
    );
}

#[test]
fn store_then_load_release_acquire_is_a_release_store_and_an_acquire_load() {
    let f = "store_then_load_release_acquire";
    let all = accesses(f);
    assert!(
        !all.iter().any(|a| matches!(
            a,
            Access::Store(SeqCst) | Access::Load(SeqCst) | Access::Fence(SeqCst)
        )),
        "{f}: SeqCst is the next experiment, not this one: {all:?}"
    );
    let (store, _, load, _) = store_fences_load(f);
    let store_at = all.iter().position(|a| matches!(a, Access::Store(_))).unwrap();
    let load_at = all.iter().rposition(|a| matches!(a, Access::Load(_))).unwrap();
    let release = |o: Ordering| matches!(o, Release | AcqRel);
    let acquire = |o: Ordering| matches!(o, Acquire | AcqRel);
    // A fence(Release) before a Relaxed store makes it a Release store; a
    // fence(Acquire) after a Relaxed load, an Acquire load.
    let fenced = |range: &[Access], ok: &dyn Fn(Ordering) -> bool| {
        range.iter().any(|a| matches!(a, Access::Fence(o) if ok(*o)))
    };
    assert!(
        release(store) || fenced(&all[..store_at], &release),
        "{f}: the store is not a Release store: {all:?}"
    );
    assert!(
        acquire(load) || fenced(&all[load_at..], &acquire),
        "{f}: the load is not an Acquire load: {all:?}"
    );
}
