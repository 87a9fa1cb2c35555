//! wrong: lock() waits while the lock is taken, but never takes it
impl SpinLock {
    fn lock(&self) -> SpinGuard<'_> {
        while self.locked.load(Acquire) {
            std::hint::spin_loop();
        }
        SpinGuard { lock: self }
    }
}
