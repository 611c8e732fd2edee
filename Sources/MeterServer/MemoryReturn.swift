import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Gives freed heap memory back to the operating system after large bodies.
///
/// A 3 MB body of 50,000 statuses takes tens of megabytes to decode and merge. Once it is committed
/// all of that is freed, but glibc's allocator keeps freed pages in its arenas, so the server's
/// resident size stayed hundreds of megabytes above its baseline after a burst of large bodies.
/// `malloc_trim` returns those pages. It walks the arenas, so it runs only after at least
/// `threshold` bytes of bodies, at most once per `delay`, and after that delay, by which time the
/// handlers have answered and dropped their copies of the bodies.
final class MemoryReturn: Sendable {
    static let threshold = 1024 * 1024
    private let delay: Duration
    private let scheduled = Atomic<Bool>(false)

    init(delay: Duration = .milliseconds(200)) {
        self.delay = delay
    }

    /// Notes that `bytes` of bodies were just processed.
    func processed(bytes: Int) {
        #if canImport(Glibc)
            guard bytes >= Self.threshold else { return }
            guard scheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
            else { return }
            let delay = delay
            Task {
                try? await Task.sleep(for: delay)
                self.scheduled.store(false, ordering: .releasing)
                _ = Self.mallocTrim?(0)
            }
        #endif
    }

    #if canImport(Glibc)
        /// glibc's `malloc_trim`, found at run time: Swift's Glibc module does not import
        /// `<malloc.h>`, and on a C library without it this is `nil` and nothing is trimmed.
        private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
            return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        }()
    #endif
}
