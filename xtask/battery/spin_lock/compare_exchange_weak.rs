//! right: compare_exchange_weak(false, true, Acquire, Relaxed) until it succeeds
impl SpinLock {
    fn lock(&self) -> SpinGuard<'_> {
        while self.locked.compare_exchange_weak(false, true, Acquire, Relaxed).is_err() {
            std::hint::spin_loop();
        }
        SpinGuard { lock: self }
    }
}
