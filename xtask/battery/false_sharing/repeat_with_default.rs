//! right: padded counters from iter::repeat_with, AtomicU64::default()
fn padded_counters(workers: usize) -> Vec<CachePadded<AtomicU64>> {
    std::iter::repeat_with(|| CachePadded::new(AtomicU64::default())).take(workers).collect()
}
