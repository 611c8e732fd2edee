#if canImport(Glibc)
    import Glibc
#endif

/// The C allocator's settings for the batch commands (`ingest`, `rebuild`). Not for `serve` or the
/// reads: there the same setting made a served month report 10% slower (large arrays mapped and
/// unmapped at every query), and `serve` gives memory back with `malloc_trim` instead.
enum HeapSettings {
    /// glibc's `M_MMAP_THRESHOLD` (`<malloc.h>`, which Swift's Glibc module does not import).
    private static let mmapThresholdParameter: Int32 = -3
    /// Allocations from this size up get a mapping of their own, given back when freed.
    static let mmapThreshold: Int32 = 1 << 20

    /// Fixes glibc's mmap threshold at 1 MiB. glibc otherwise raises it (up to 32 MiB) each time
    /// such a block is freed; after that, the ingest's and the writer's batch-sized arrays were
    /// allocated in the heap, where freeing them left it fragmented: `wameter ingest` of the 1M-body
    /// benchmark file peaked at 278 MB, and at 178 MB with the threshold fixed (docs/benchmarks.md).
    /// Returns whether the setting took (false on a C library without `mallopt`).
    @discardableResult
    static func apply() -> Bool {
        #if canImport(Glibc)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
            let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
            return mallopt(mmapThresholdParameter, mmapThreshold) == 1
        #else
            return false
        #endif
    }
}
