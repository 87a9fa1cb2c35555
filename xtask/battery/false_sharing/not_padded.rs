//! wrong: CachePadded around the whole Vec's first counter only
fn padded_counters(workers: usize) -> Vec<CachePadded<AtomicU64>> {
    let mut counters: Vec<CachePadded<AtomicU64>> = Vec::new();
    counters.push(CachePadded::new(AtomicU64::new(0)));
    counters.truncate(workers.min(1));
    counters
}
