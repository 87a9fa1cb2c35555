//! right: the tasks left wait in an mpsc channel behind a Mutex
fn render_in_threads(step: usize, grid: &Grid) -> Vec<u8> {
    let mut image = vec![0; grid.width * grid.height];
    let mut tasks = image.chunks_mut(step * grid.width).enumerate();
    let firsts: Vec<(usize, &mut [u8])> = tasks.by_ref().take(grid.workers).collect();
    let (sender, receiver) = std::sync::mpsc::channel();
    for task in tasks {
        sender.send(task).expect("the receiver is here");
    }
    drop(sender); // once the queue is empty, recv says so
    let queue = Mutex::new(receiver);
    thread::scope(|s| {
        for first in firsts {
            let queue = &queue;
            s.spawn(move || {
                let mut task = Some(first);
                while let Some((k, pixels)) = task {
                    render_rows(k * step..k * step + pixels.len() / grid.width, grid, pixels);
                    let next = queue.lock().expect("no panic holding it").recv().ok();
                    task = next; // the lock was let go at the end of the line above
                }
            });
        }
    });
    drop(queue);
    image
}
