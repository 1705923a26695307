//! Helpers shared by the unit tests.

/// Runs `f` on a thread with room for the checker's recursion (deeply nested input
/// recurses further than a test thread's stack allows; see ARCHITECTURE.md).
pub(crate) fn deep<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(256 << 20).spawn(f).expect("a thread").join().expect("no panic")
}
