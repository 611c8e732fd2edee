import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing
import TrafficSimulator

/// Properties of the insights on random ledgers (seeded simulator traffic across a month boundary,
/// accounts in three time zones): for random periods, breakdowns and filters, the rows sum to the
/// totals, and two adjacent periods add up to the period that joins them, costs included (each day
/// is priced as part of its whole month, so a split never changes a day's cost).
@Suite("Insights properties", .closesStores)
struct InsightsPropertyTests {
    static let dimensions = InsightsDimension.allCases.map(\.rawValue)

    @Test("rows sum to totals; adjacent periods add up", arguments: [UInt64(11), 12, 13])
    func properties(seed: UInt64) async throws {
        var random = SeededRandom(seed: seed)
        let store = try await StoreBackend.sqlite.makeStore(accounts: SimulatedAccount.demo.map(\.account))
        var simulator = TrafficSimulator(
            SimulationSettings(seed: seed, start: utc("2025-06-20T00:00:00Z"), meanGapSeconds: 3_000))
        try await LedgerScenario.ingest(store, (0..<3_000).map { _ in simulator.next().bytes })

        for _ in 0..<8 {
            // Days from 2025-06-15 on (conversations, then per-message pricing from July).
            let first = Int.random(in: 0..<30, using: &random)
            let middle = first + Int.random(in: 0..<6, using: &random)
            let last = middle + 1 + Int.random(in: 0..<6, using: &random)
            func day(_ offset: Int) -> String {
                let date = Date(
                    timeIntervalSince1970: TimeInterval(utc("2025-06-15T00:00:00Z") + Int64(offset) * 86_400))
                return String(ISO8601DateFormatter().string(from: date).prefix(10))
            }
            let by = Self.dimensions.filter { _ in Bool.random(using: &random) }
            let granularity = ["day", "month", "total"].randomElement(using: &random)!
            var filters: [String: [String]] = [:]
            if Bool.random(using: &random) {
                filters["kind"] = [["message", "conversation"].randomElement(using: &random)!]
            }
            func insights(
                _ from: String, _ to: String, _ granularity: String, by: [String]
            ) async throws
                -> InsightsResult
            {
                try await store.insights(
                    scope: .all,
                    query: try InsightsRequest(from: from, to: to, granularity: granularity, by: by, filters: filters)
                        .query(),
                    now: utc("2025-09-01T00:00:00Z"))
            }
            let label = "\(day(first))..\(day(last)) \(granularity) by \(by) \(filters)"

            let whole = try await insights(day(first), day(last), granularity, by: by)
            var sums: [String: InsightsMetrics] = [:]
            for row in whole.rows { sums[row.currency, default: InsightsMetrics()].add(row.metrics) }
            // A currency with nothing in the period has a zero total and no rows.
            for total in whole.totals {
                #expect(sums[total.currency, default: InsightsMetrics()] == total.metrics, "\(label)")
            }
            #expect(Set(sums.keys).isSubset(of: whole.totals.map(\.currency)), "\(label)")
            // The JSON written directly is JSONEncoder's, byte for byte.
            #expect(whole.jsonData() == WireJSON.encode(InsightsJSON(whole)), "\(label)")

            let left = try await insights(day(first), day(middle), "total", by: [])
            let right = try await insights(day(middle + 1), day(last), "total", by: [])
            var joined: [String: InsightsMetrics] = [:]
            for total in left.totals + right.totals {
                joined[total.currency, default: InsightsMetrics()].add(total.metrics)
            }
            #expect(
                joined == Dictionary(uniqueKeysWithValues: whole.totals.map { ($0.currency, $0.metrics) }), "\(label)")
        }
        let everything = try await store.insights(
            scope: .all, query: try InsightsRequest(from: "2025-06", to: "2025-07", by: ["kind"]).query(), now: 0)
        // The traffic reaches both eras, so the properties are not checked on nothing.
        let byKind = Dictionary(uniqueKeysWithValues: everything.rows.map { ($0.values[0], $0.metrics) })
        #expect(byKind["conversation"]?.conversationsCharged ?? 0 > 0)
        #expect(byKind["message"]?.messagesCharged ?? 0 > 0)
    }
}
