//! wrong: the lock taken by a load, then a store: two threads can both find it free
impl SpinLock {
    fn lock(&self) -> SpinGuard<'_> {
        while self.locked.load(Acquire) {
            std::hint::spin_loop();
        }
        self.locked.store(true, Relaxed);
        SpinGuard { lock: self }
    }
}
