//! right: the chase as a fold
fn chase(lines: &[Line], loads: u64) -> usize {
    (0..loads).fold(0, |at, _| lines[at].next)
}
