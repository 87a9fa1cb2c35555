//! wrong: a counter more than there are threads
fn padded_counters(workers: usize) -> Vec<CachePadded<AtomicU64>> {
    (0..=workers).map(|_| CachePadded::new(AtomicU64::new(0))).collect()
}
