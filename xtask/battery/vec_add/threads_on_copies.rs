//! wrong: each chunk copied by the parent for a std::thread::spawn, not borrowed: the copies take longer than the sums, and no two threads sum at once
fn sum_in_threads(chunks: &[&[i64]]) -> Vec<i64> {
    let mut handles = Vec::new();
    for chunk in chunks {
        let owned: Vec<i64> = chunk.to_vec();
        handles.push(std::thread::spawn(move || partial_sum(&owned)));
    }
    let mut sums = Vec::with_capacity(handles.len());
    for handle in handles {
        sums.push(handle.join().unwrap());
    }
    sums
}
