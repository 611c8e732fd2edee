import Foundation
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

@Suite("Dashboard charts")
struct SVGBarChartTests {
    /// The axis labels of a chart, bottom to top.
    static func axis(_ svg: String) -> [String] {
        let pattern = #"class="axis" text-anchor="end">([^<]*)</text>"#
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map {
            String(svg[Range($0.range(at: 1), in: svg)!])
        }
    }

    @Test(
        "a count axis steps by distinct whole numbers, however few the counts",
        arguments: [
            (1.0, ["0", "1", "2", "3", "4"]), (3.0, ["0", "1", "2", "3", "4"]), (7.0, ["0", "2", "4", "6", "8"]),
            (2_300.0, ["0", "1,000", "2,000", "3,000", "4,000"]),
        ])
    func countAxis(maximum: Double, labels: [String]) {
        let chart = SVGBarChart(
            periods: ["2026-09-01", "2026-09-02"],
            series: [SVGBarChart.Series(name: "marketing", color: "#000", values: [maximum, 0])],
            format: { DashboardPages.number(Int($0.rounded())) }, label: "counts", integral: true)
        #expect(Self.axis(chart.render()) == labels)
    }

    @Test("every bar has a title with its period, series and value")
    func titles() {
        let svg = SVGBarChart(
            periods: ["2026-09-01"], series: [SVGBarChart.Series(name: "utility", color: "#000", values: [3])],
            format: { String(Int($0)) }, label: "counts", integral: true
        ).render()
        #expect(svg.contains("<title>2026-09-01 utility: 3</title>"))
        #expect(svg.contains(#"role="img" aria-label="counts""#))
    }
}
