//! right: SeqCst for the swap and the store, stronger than needed
impl SpinLock {
    fn lock(&self) -> SpinGuard<'_> {
        while self.locked.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::hint::spin_loop();
        }
        SpinGuard { lock: self }
    }
}

impl Drop for SpinGuard<'_> {
    fn drop(&mut self) {
        self.lock.locked.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}
