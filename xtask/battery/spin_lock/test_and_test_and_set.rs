//! right: spin on a Relaxed load while it is taken, then try the swap (test and test-and-set)
impl SpinLock {
    fn lock(&self) -> SpinGuard<'_> {
        loop {
            if !self.locked.swap(true, Acquire) {
                return SpinGuard { lock: self };
            }
            while self.locked.load(Relaxed) {
                std::hint::spin_loop();
            }
        }
    }
}
