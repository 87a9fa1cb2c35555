//! wrong: next = order[i] for line i: a random permutation, but many short cycles, not one
fn one_cycle(lines: &mut [Line], order: &[usize]) {
    for (i, &to) in order.iter().enumerate() {
        lines[i].next = to;
    }
}
