//! wrong: the last line of the order left pointing nowhere in particular (not back to the first)
fn one_cycle(lines: &mut [Line], order: &[usize]) {
    for pair in order.windows(2) {
        lines[pair[0]].next = pair[1];
    }
}
