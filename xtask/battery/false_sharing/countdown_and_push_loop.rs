//! right: countdown while loop of fetch_add, counters pushed in a for loop
fn increment(counter: &AtomicU64, iters: u64) {
    let mut left = iters;
    while left != 0 {
        counter.fetch_add(1, ADD_ORDER); // atomic: it reaches the cache line every time
        left -= 1;
    }
}

fn padded_counters(workers: usize) -> Vec<CachePadded<AtomicU64>> {
    let mut counters = Vec::with_capacity(workers);
    for _ in 0..workers {
        counters.push(CachePadded::new(AtomicU64::new(0)));
    }
    counters
}

/// Each thread's own counter orders nothing else.
const ADD_ORDER: std::sync::atomic::Ordering = Relaxed;
