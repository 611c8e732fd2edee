import Synchronization
import Testing

@testable import MeterServer

/// Open pages share renders: one per page and ledger version, concurrent requests wait for it.
@Suite("Dashboard render cache")
struct DashboardRenderCacheTests {
    final class Counter: Sendable {
        let value = Mutex(0)
        func next() -> Int {
            value.withLock {
                $0 += 1; return $0
            }
        }
    }

    @Test("fifty concurrent requests for a page render it once; a new version renders again")
    func singleFlight() async throws {
        let cache = DashboardRenderCache(freshness: .zero)
        let renders = Counter()
        let pages = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await cache.page("/", version: 1) {
                        try await Task.sleep(for: .milliseconds(50))
                        return "render \(renders.next())"
                    }
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(pages) == ["render 1"])
        #expect(try await cache.page("/", version: 1) { "render \(renders.next())" } == "render 1")
        let newer = try await cache.page("/", version: 2) { "render \(renders.next())" }
        #expect(newer == "render 2")
        #expect(try await cache.page("/other", version: 2) { "other" } == "other")
    }

    @Test("under a stream of new versions a page is rendered at most once per freshness window")
    func freshness() async throws {
        let cache = DashboardRenderCache(freshness: .seconds(60))
        let renders = Counter()
        for version in 1...100 {
            #expect(try await cache.page("/", version: UInt64(version)) { "render \(renders.next())" } == "render 1")
        }
    }

    @Test("a failed render is not kept")
    func failures() async throws {
        struct Failure: Error {}
        let cache = DashboardRenderCache()
        await #expect(throws: Failure.self) { try await cache.page("/", version: 1) { throw Failure() } }
        #expect(try await cache.page("/", version: 1) { "second try" } == "second try")
    }
}

@Suite("Dashboard numbers")
struct DashboardNumberTests {
    @Test(
        "counts get thousands separators",
        arguments: [
            (0, "0"), (7, "7"), (999, "999"), (1_000, "1,000"), (12_345, "12,345"), (1_234_567, "1,234,567"),
            (-1_234, "-1,234"),
        ])
    func grouping(value: Int, text: String) {
        #expect(DashboardPages.number(value) == text)
    }
}
