import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing

/// `by_phone_number`: charged units and cost per business phone number, however they were priced
/// (card rate, conversation, volume tier in delivery order, webhook price); it always sums to the
/// report's totals, and the CSV lines stay one per kind × category × market × country.
@Suite("Report by phone number", .closesStores)
struct PhoneNumberBreakdownTests {
    static let tiers = """
        effective_from,currency,market,category,volume_from,volume_to,rate
        2026-01-01,USD,India,utility,1,3,0.0014
        2026-01-01,USD,India,utility,4,,0.0005
        """
    static let rates = """
        effective_from,currency,market,category,rate
        2022-01-01,USD,India,marketing,0.0099
        2026-01-01,USD,India,marketing,0.0118
        """

    func store(_ backend: StoreBackend) async throws -> any LedgerStore {
        let store = try await backend.makeStore(accounts: [Account(id: "A", timezone: "UTC", currency: "USD")])
        try await store.importRates(
            try RateCardImport.parse(Self.rates).rates, tiers: try RateCardImport.parse(Self.tiers).tiers)
        return store
    }

    @Test(
        "per-message pricing: card rates, tiers past a boundary and webhook prices, split by number",
        arguments: StoreBackend.all)
    func perMessage(_ backend: StoreBackend) async throws {
        let store = try await store(backend)
        let t = utc("2026-02-03T10:00:00Z")
        var bodies: [Data] = []
        // Utility alternating between two numbers: 6 messages pass the tier boundary at 3.
        for n in 0..<6 {
            bodies.append(
                LedgerScenario.status(
                    "u\(n)", "delivered", at: t + Int64(n) * 60, pricing: LedgerScenario.pmp("utility"),
                    phone: n % 2 == 0 ? "111" : "222"))
        }
        bodies.append(
            LedgerScenario.status("m1", "delivered", at: t, pricing: LedgerScenario.pmp("marketing"), phone: "222"))
        bodies.append(LedgerScenario.costedDelivery("c1", at: t, amount: "0.0105"))
        try await LedgerScenario.ingest(store, bodies)
        let report = try await LedgerScenario.report(store, "A", "2026-02")
        // Tiered utility in delivery order: u0 111, u1 222, u2 111 at 0.0014; u3 222, u4 111, u5 222 at 0.0005.
        #expect(report.byPhoneNumber["111"] == .init(charged: 3, cost: "0.0033"))
        #expect(report.byPhoneNumber["222"] == .init(charged: 4, cost: "0.0142"))
        #expect(report.byPhoneNumber["106540352242922"] == .init(charged: 1, cost: "0.0105"))
        #expect(report.byPhoneNumber.values.reduce(0) { $0 + $1.charged } == report.messages.charged)
        #expect(report.byPhoneNumber.values.reduce(Decimal(0)) { $0 + $1.cost } == report.cost.total)
        // The CSV keeps one line per kind × category × market × country.
        #expect(report.lines.filter { $0.category == "utility" }.count == 1)

        // The insights' tier: each charged utility message by the tier it was priced at, per number.
        let byTier = try await store.insights(
            scope: .accounts(["A"]),
            query: try InsightsRequest(
                from: "2026-02", to: "2026-02", by: ["category", "tier", "phone"],
                filters: ["category": ["utility"], "pricing_type": ["regular"]]
            ).query(), now: t)
        #expect(
            byTier.rows.map { "\($0.values[1]) \($0.values[2]) \($0.metrics.messagesCharged) \($0.metrics.cost)" } == [
                "1:3 111 2 0.0028", "1:3 222 1 0.0014", "4:MAX 111 1 0.0005", "4:MAX 222 2 0.001",
            ])
        // In Meta's layout.
        let graph = try GraphAnalyticsRequest.parse(
            try #require(
                try GraphField.parse(
                    "pricing_analytics.start(\(t - 3_600)).end(\(t + 3_600)).granularity(DAILY).dimensions([TIER])"
                        + ".tiers([\"4:MAX\"])"
                ).first))
        let utc = try #require(BillingCalendar(timezoneIdentifier: "UTC"))
        let answer = try await store.insights(
            scope: .accounts(["A"]), query: graph.query(calendar: utc), now: t)
        #expect(
            graph.response(answer, calendar: utc)
                == .object([
                    "data": .array([
                        .object([
                            "data_points": .array([
                                .object([
                                    "start": .integer64(utc.start(of: 20260203)),
                                    "end": .integer64(utc.start(of: 20260204)), "tier": .string("4:MAX"),
                                    "volume": .integer(3), "cost": .decimal(Decimal(string: "0.0015")!),
                                ])
                            ])
                        ])
                    ])
                ]))
        #expect(String(decoding: report.jsonData(), as: UTF8.self).contains(#""by_phone_number" : {"#))
    }

    @Test(
        "conversation pricing: conversations charged on the number they are on; free-tier ones on none",
        arguments: StoreBackend.all)
    func conversations(_ backend: StoreBackend) async throws {
        let store = try await store(backend)
        for (month, start) in [("2022-05", utc("2022-05-03T10:00:00Z")), ("2025-01", utc("2025-01-03T10:00:00Z"))] {
            let bodies = (0..<4).map { n in
                LedgerScenario.status(
                    "\(month)-m\(n)", "delivered", at: start + Int64(n) * 60, pricing: LedgerScenario.cbp("marketing"),
                    conversation: "\(month)-c\(n)", phone: n < 3 ? "111" : "222")
            }
            try await LedgerScenario.ingest(store, bodies)
        }
        // 2022-05: four conversations, all within the month's 1,000 free: nothing charged.
        let may = try await LedgerScenario.report(store, "A", "2022-05")
        #expect(may.conversations.freeTier == 4)
        #expect(may.byPhoneNumber.isEmpty)
        // 2025-01: no free tier for marketing; each conversation on its own number, at the built-in
        // 2024-10-01 card's India marketing rate (the imported 2022-01-01 card ended on 2022-02-01).
        let january = try await LedgerScenario.report(store, "A", "2025-01")
        #expect(january.byPhoneNumber["111"] == .init(charged: 3, cost: "0.0321"))
        #expect(january.byPhoneNumber["222"] == .init(charged: 1, cost: "0.0107"))
        #expect(january.byPhoneNumber.values.reduce(Decimal(0)) { $0 + $1.cost } == january.cost.total)
    }
}
