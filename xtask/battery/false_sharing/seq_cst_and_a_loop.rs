//! right: SeqCst fetch_add in a while loop; counters pushed one by one
fn increment(counter: &AtomicU64, iters: u64) {
    let mut i = 0;
    while i < iters {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        i += 1;
    }
}

fn padded_counters(workers: usize) -> Vec<CachePadded<AtomicU64>> {
    let mut counters = Vec::with_capacity(workers);
    for _ in 0..workers {
        counters.push(CachePadded::new(AtomicU64::default()));
    }
    counters
}
