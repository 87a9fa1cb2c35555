//! right: a Release fence, then a Relaxed store of false
impl Drop for SpinGuard<'_> {
    fn drop(&mut self) {
        std::sync::atomic::fence(Release);
        self.lock.locked.store(false, Relaxed);
    }
}
