//! `random.rs`, tested once for all its copies.

#[path = "../../vec_add/src/random.rs"]
mod random;

#[test]
fn randint_is_in_range_and_reproducible() {
    let a = random::randint(10_000, Some(7)).unwrap();
    assert!(a.iter().all(|x| (1..=99).contains(x)));
    assert_eq!(a, random::randint(10_000, Some(7)).unwrap());
    // Both ends of randint(1, 100) occur, and nothing outside them.
    assert!(a.contains(&1) && a.contains(&99));
}

#[test]
fn rand_is_in_range_and_reproducible() {
    let a = random::rand(10_000, Some(7)).unwrap();
    assert!(a.iter().all(|x| (0.0..1.0).contains(x)));
    assert_eq!(a, random::rand(10_000, Some(7)).unwrap());
}

#[test]
fn an_array_that_does_not_fit_is_one_clear_error() {
    let err = random::randint(usize::MAX / 4, None).unwrap_err();
    assert_eq!(err.to_string(), format!("not enough memory for {} numbers", usize::MAX / 4));
}
