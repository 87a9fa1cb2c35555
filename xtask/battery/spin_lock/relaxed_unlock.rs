//! wrong: store(false, Relaxed): the holder's writes may come after the lock is seen free
impl Drop for SpinGuard<'_> {
    fn drop(&mut self) {
        self.lock.locked.store(false, Relaxed);
    }
}
