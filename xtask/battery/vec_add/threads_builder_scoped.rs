//! right: thread::Builder's spawn_scoped, handles joined after every thread has started
fn sum_in_threads(chunks: &[&[i64]]) -> Vec<i64> {
    thread::scope(|s| {
        let mut handles = Vec::new();
        for chunk in chunks {
            let handle = thread::Builder::new().spawn_scoped(s, move || partial_sum(chunk));
            handles.push(handle.expect("a thread starts"));
        }
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}
