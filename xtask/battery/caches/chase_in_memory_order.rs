//! wrong: the chase walks the lines in memory order instead of following next
fn chase(lines: &[Line], loads: u64) -> usize {
    let mut at = 0;
    for _ in 0..loads {
        at = (at + 1) % lines.len();
    }
    at
}
