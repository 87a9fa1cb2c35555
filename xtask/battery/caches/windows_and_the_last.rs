//! right: windows(2) for the links, then the last one back to the first
fn one_cycle(lines: &mut [Line], order: &[usize]) {
    for pair in order.windows(2) {
        lines[pair[0]].next = pair[1];
    }
    if let (Some(&last), Some(&first)) = (order.last(), order.first()) {
        lines[last].next = first;
    }
}
