//! right: each thread handed its first task, the rest in a channel every thread receives from
fn render_in_threads(step: usize, grid: &Grid) -> Vec<u8> {
    let mut image = vec![0; grid.width * grid.height];
    {
        let (send, receive) = std::sync::mpsc::channel();
        let mut tasks = image.chunks_mut(step * grid.width).enumerate();
        let first: Vec<_> = tasks.by_ref().take(grid.workers).collect();
        for task in tasks {
            send.send(task).unwrap();
        }
        drop(send);
        let receive = Mutex::new(receive);
        thread::scope(|s| {
            for task in first {
                let receive = &receive;
                s.spawn(move || {
                    let mut task = Some(task);
                    while let Some((k, pixels)) = task {
                        let rows = k * step..k * step + pixels.len() / grid.width;
                        render_rows(rows, grid, pixels);
                        let next = receive.lock().unwrap().recv();
                        task = next.ok();
                    }
                });
            }
        });
    }
    image
}
