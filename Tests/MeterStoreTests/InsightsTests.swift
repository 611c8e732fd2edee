import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing

/// The insights query: any period of local days, any breakdown, exact costs that add up to the
/// month report's, on both backends.
@Suite("Insights", .closesStores)
struct InsightsTests {
    static let now = utc("2026-03-20T00:00:00Z")

    /// The report-parity ledger (every pricing era, tiers past a boundary, webhook prices, pending,
    /// dropped and unrated units) on `backend`.
    static func parityLedger(_ backend: StoreBackend) async throws -> any LedgerStore {
        let store = try await backend.makeStore(accounts: BackendParityTests.accounts)
        let card = try RateCardImport.parse(Fixtures.text("meta-rate-card-usd-2026-10-01.csv"))
        try await store.importRates(
            card.rates + (try RateCardImport.parse(BackendParityTests.rates).rates),
            tiers: try RateCardImport.parse(BackendParityTests.tiers).tiers)
        let bodies = BackendParityTests.bodies()
        var start = 0
        while start < bodies.count {
            try await LedgerScenario.ingest(store, Array(bodies[start..<min(start + 500, bodies.count)]))
            start += 500
        }
        return store
    }

    static func query(
        _ from: String, _ to: String, _ granularity: String = "total", by: [String] = []
    )
        throws -> InsightsQuery
    {
        try InsightsRequest(from: from, to: to, granularity: granularity, by: by).query()
    }

    @Test(
        "a calendar month's insights are its report's figures, for every account and month", arguments: StoreBackend.all
    )
    func monthEqualsReport(_ backend: StoreBackend) async throws {
        let store = try await Self.parityLedger(backend)
        var compared = 0
        for account in BackendParityTests.accounts {
            var month = YearMonth(year: 2021, month: 11)
            while month <= YearMonth(year: 2026, month: 11) {
                let report = try await store.report(accountID: account.id, month: month, now: Self.now)
                let insights = try await store.insights(
                    scope: .accounts([account.id]), query: try Self.query(month.description, month.description),
                    now: Self.now)
                let total = try #require(insights.totals.first, "\(account.id) \(month)")
                #expect(insights.totals.count == 1)
                let m = total.metrics
                let label = "\(account.id) \(month)"
                #expect(m.messagesSent == report.messages.sent, "\(label)")
                #expect(m.messagesDelivered == report.messages.delivered, "\(label)")
                #expect(m.messagesRead == report.messages.read, "\(label)")
                #expect(m.messagesFailed == report.messages.failed, "\(label)")
                #expect(m.messagesReceived == report.messages.received, "\(label)")
                #expect(m.messagesCharged == report.messages.charged, "\(label)")
                #expect(m.messagesFree == report.messages.delivered - report.messages.charged, "\(label)")
                #expect(m.conversationsDelivered == report.conversations.delivered, "\(label)")
                #expect(m.conversationsCharged == report.conversations.charged, "\(label)")
                #expect(
                    m.conversationsFree == report.conversations.freeTier + report.conversations.freeEntryPoint,
                    "\(label)")
                #expect(m.cost == report.cost.total, "\(label)")
                #expect(m.unrated == report.unrated.count, "\(label)")
                #expect(total.undeliveredMessages?.total == report.messages.pending + report.messages.dropped)
                #expect(total.undeliveredMessages?.dropped == report.messages.dropped, "\(label)")
                #expect(total.undeliveredConversations?.dropped == report.conversations.dropped, "\(label)")
                if report.messages.delivered + report.conversations.delivered > 0 { compared += 1 }
                month = month.next
            }
        }
        #expect(compared > 20)
    }

    @Test("every breakdown's rows sum to the totals, at every granularity", arguments: StoreBackend.all)
    func breakdownsSumToTotals(_ backend: StoreBackend) async throws {
        let store = try await Self.parityLedger(backend)
        let everything = try await store.insights(
            scope: .all, query: try Self.query("2021-11", "2026-11"), now: Self.now)
        let expected = Dictionary(uniqueKeysWithValues: everything.totals.map { ($0.currency, $0.metrics) })
        #expect(expected["USD"]?.cost ?? 0 > 0)
        let dimensions = InsightsDimension.allCases.map(\.rawValue)
        // Each dimension alone by month; all of them at once, and a pair, by day and in total.
        let breakdowns =
            dimensions.map { ("month", [$0]) }
            + ["day", "total"].flatMap { [($0, dimensions), ($0, ["category", "pricing_type"])] }
        for (granularity, by) in breakdowns {
            do {
                let result = try await store.insights(
                    scope: .all, query: try Self.query("2021-11", "2026-11", granularity, by: by), now: Self.now)
                var sums: [String: InsightsMetrics] = [:]
                for row in result.rows { sums[row.currency, default: InsightsMetrics()].add(row.metrics) }
                #expect(sums == expected, "\(granularity) by \(by)")
                #expect(result.totals.map(\.metrics) == everything.totals.map(\.metrics), "\(granularity) by \(by)")
            }
        }
    }

    @Test("SQLite and PostgreSQL give the same insights", .enabled(if: StoreBackend.postgresURL != nil))
    func backendsAgree() async throws {
        let sqlite = try await Self.parityLedger(.sqlite)
        let postgres = try await Self.parityLedger(.postgres)
        for (granularity, by) in [("month", ["account", "category", "pricing_type"]), ("day", ["phone", "country"])] {
            let query = try Self.query("2021-11", "2026-11", granularity, by: by)
            let a = try await sqlite.insights(scope: .all, query: query, now: Self.now)
            let b = try await postgres.insights(scope: .all, query: query, now: Self.now)
            #expect(a.jsonData() == b.jsonData())
            #expect(!a.rows.isEmpty)
        }
    }

    @Test(
        "one pricing for the dashboard: the insights and the report are those of the separate queries",
        arguments: StoreBackend.all)
    func insightsAndReport(_ backend: StoreBackend) async throws {
        let store = try await Self.parityLedger(backend)
        for account in ["A", "B", "100000000000001"] {
            for (month, from, to, granularity) in [
                ("2022-05", "2022-05-01", "2022-05-31", "day"), ("2026-02", "2026-02-10", "2026-02-10", "half_hour"),
                ("2026-10", "2026-10-01", "2026-10-31", "day"), ("2025-01", "2025-01-01", "2025-01-31", "day"),
            ] {
                let query = try Self.query(from, to, granularity, by: ["category", "phone", "market", "country"])
                // `now` inside 2026-02: that month's report has a forecast, and pending units.
                for now in [Self.now, utc("2026-02-10T12:00:00Z")] {
                    let both = try await store.insightsAndReport(
                        account: account, month: YearMonth(month)!, query: query, now: now)
                    let insights = try await store.insights(scope: .accounts([account]), query: query, now: now)
                    let report = try await store.report(accountID: account, month: YearMonth(month)!, now: now)
                    #expect(both.insights.jsonData() == insights.jsonData(), "\(account) \(month)")
                    #expect(both.report.jsonData() == report.jsonData(), "\(account) \(month)")
                    #expect(both.report == report, "\(account) \(month)")
                }
            }
        }
    }
}
