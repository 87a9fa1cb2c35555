//! wrong: swap(true, Relaxed): what the last holder wrote need not be seen (x86-64 hides it)
impl SpinLock {
    fn lock(&self) -> SpinGuard<'_> {
        while self.locked.swap(true, Relaxed) {
            std::hint::spin_loop();
        }
        SpinGuard { lock: self }
    }
}
