//! by hand: thread::yield_now() in the loop instead of spin_loop(): right, but no longer spinning on its CPU
impl SpinLock {
    fn lock(&self) -> SpinGuard<'_> {
        while self.locked.swap(true, Acquire) {
            std::thread::yield_now();
        }
        SpinGuard { lock: self }
    }
}
