import Testing

@testable import wameter

/// The allocator setting that keeps `wameter ingest` and `rebuild` from holding freed batches
/// (its effect on peak memory is measured in docs/benchmarks.md, not here).
@Suite("Heap settings")
struct HeapSettingsTests {
    @Test("glibc accepts the fixed 1 MiB mmap threshold")
    func mmapThresholdTakes() {
        #if canImport(Glibc)
            #expect(HeapSettings.apply())
            #expect(HeapSettings.mmapThreshold == 1_048_576)
        #else
            #expect(!HeapSettings.apply())
        #endif
    }
}
