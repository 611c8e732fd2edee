import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing

/// Insights on a small ledger whose every figure is known: periods in the account's time zone,
/// pricing types of messages and conversations, directions, filters, phone numbers, and costs kept
/// apart by currency.
@Suite("Insights by example", .closesStores)
struct InsightsScenarioTests {
    static let rates = """
        effective_from,currency,market,category,rate
        2024-01-01,USD,India,marketing,0.0099
        2026-01-01,USD,India,marketing,0.0118
        2026-01-01,USD,Brazil,marketing,0.0625
        2026-01-01,EUR,India,marketing,0.0110
        """
    static let india = "919876543210"
    static let brazil = "5511987654321"

    static func store(_ backend: StoreBackend) async throws -> any LedgerStore {
        let store = try await backend.makeStore(accounts: [
            Account(id: "K", timezone: "Asia/Kolkata", currency: "USD", portfolio: "P"),
            Account(id: "A", timezone: "UTC", currency: "USD", portfolio: "P"),
            Account(id: "E", timezone: "Europe/Berlin", currency: "EUR"),
        ])
        try await store.importRates(try RateCardImport.parse(rates).rates, tiers: [])
        let pmp = LedgerScenario.pmp
        let bodies = [
            // 2026-03-01 01:30 in Kolkata: March there, although February in UTC.
            LedgerScenario.status(
                account: "K", "m1", "delivered", at: utc("2026-02-28T20:00:00Z"), to: india,
                pricing: pmp("marketing", "regular"), phone: "P1"),
            LedgerScenario.status(
                account: "K", "m2", "delivered", at: utc("2026-02-10T10:00:00Z"), to: india,
                pricing: pmp("utility", "free_customer_service"), phone: "P2"),
            LedgerScenario.status(
                account: "K", "m3", "read", at: utc("2026-02-11T10:00:00Z"), to: india,
                pricing: pmp("marketing", "free_entry_point"), phone: "P1"),
            LedgerScenario.status(
                account: "K", "m4", "delivered", at: utc("2026-02-11T11:00:00Z"), to: brazil,
                pricing: pmp("marketing", "regular"), phone: "P2"),
            LedgerScenario.status(account: "K", "m5", "sent", at: utc("2026-02-12T11:00:00Z"), to: brazil, phone: "P2"),
            LedgerScenario.status(
                account: "E", "e1", "delivered", at: utc("2026-02-11T10:00:00Z"), to: india,
                pricing: pmp("marketing", "regular")),
            // 2024-03 (CBP, 1,000 free service conversations a month): a charged marketing
            // conversation, a service one in the free tier, a free entry point.
            LedgerScenario.status(
                account: "A", "c1", "delivered", at: utc("2024-03-05T10:00:00Z"), to: india,
                pricing: LedgerScenario.cbp("marketing"), conversation: "conv1"),
            LedgerScenario.status(
                account: "A", "c2", "delivered", at: utc("2024-03-06T10:00:00Z"), to: india,
                pricing: LedgerScenario.cbp("service"), conversation: "conv2"),
            LedgerScenario.status(
                account: "A", "c3", "delivered", at: utc("2024-03-07T10:00:00Z"), to: india,
                pricing: LedgerScenario.cbp("referral_conversion", billable: false), conversation: "conv3",
                origin: "referral_conversion"),
        ]
        try await LedgerScenario.ingest(store, bodies)
        return store
    }

    static func insights(
        _ store: any LedgerStore, _ scope: InsightsScope, _ from: String, _ to: String, granularity: String = "total",
        by: [String] = [], filters: [String: [String]] = [:]
    ) async throws -> InsightsResult {
        let query = try InsightsRequest(from: from, to: to, granularity: granularity, by: by, filters: filters).query()
        return try await store.insights(scope: scope, query: query, now: utc("2026-02-20T00:00:00Z"))
    }

    static func rows(_ result: InsightsResult) -> [String: InsightsMetrics] {
        Dictionary(uniqueKeysWithValues: result.rows.map { ($0.values.joined(separator: "|"), $0.metrics) })
    }

    @Test("messages by pricing type, in the account's own days", arguments: StoreBackend.all)
    func pricingTypes(_ backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        let february = try await Self.insights(
            store, .accounts(["K"]), "2026-02-01", "2026-02-28", by: ["pricing_type"])
        let rows = Self.rows(february)
        #expect(rows["regular"]?.messagesCharged == 1)
        #expect(rows["regular"]?.cost == "0.0625")
        #expect(rows["free_customer_service"]?.messagesFree == 1)
        #expect(rows["free_entry_point"]?.messagesFree == 1)
        #expect(rows["free_entry_point"]?.messagesRead == 0)
        // Sending and reading have no pricing type.
        #expect(rows[""]?.messagesSent == 4)
        #expect(rows[""]?.messagesRead == 1)
        #expect(february.totals.first?.undeliveredMessages?.total == 1)

        // m1 was delivered on 1 March in Kolkata.
        let march = try await Self.insights(store, .accounts(["K"]), "2026-03-01", "2026-03-01", granularity: "day")
        #expect(march.rows.map(\.period) == ["2026-03-01"])
        #expect(march.rows.first?.metrics.messagesCharged == 1)
        #expect(march.rows.first?.metrics.cost == "0.0118")
    }

    @Test("filters and breakdowns combine: by phone number, only Brazil", arguments: StoreBackend.all)
    func filters(_ backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        let byPhone = try await Self.insights(store, .accounts(["K"]), "2026-02", "2026-03", by: ["phone"])
        let rows = Self.rows(byPhone)
        #expect(rows["P1"]?.messagesDelivered == 2)
        #expect(rows["P1"]?.cost == "0.0118")
        #expect(rows["P2"]?.messagesDelivered == 2)
        #expect(rows["P2"]?.cost == "0.0625")

        // A number may be named by its display number (digits compared), as Meta's analytics name it.
        let byDisplay = try await Self.insights(
            store, .accounts(["K"]), "2026-02", "2026-03", filters: ["phone": ["+1 555-000-0001"]])
        #expect(byDisplay.totals.first?.metrics.messagesDelivered == 2)
        #expect(byDisplay.totals.first?.metrics.cost == "0.0118")
        let brazil = try await Self.insights(
            store, .accounts(["K"]), "2026-02", "2026-03", by: ["phone", "category"], filters: ["country": ["br"]])
        #expect(brazil.rows.map(\.values) == [["P2", "marketing"], ["P2", "unknown"]])
        #expect(brazil.totals.first?.metrics.messagesDelivered == 1)
        #expect(brazil.totals.first?.metrics.cost == "0.0625")
        // An undelivered message has no country to filter on: not reported under a filter.
        #expect(brazil.totals.first?.undeliveredMessages == nil)
    }

    @Test("conversations by pricing type and direction (CBP)", arguments: StoreBackend.all)
    func conversations(_ backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        let types = Self.rows(
            try await Self.insights(store, .accounts(["A"]), "2024-03", "2024-03", by: ["pricing_type"]))
        #expect(types["regular"]?.conversationsCharged == 1)
        #expect(types["regular"]?.cost == "0.0099")
        #expect(types["free_tier"]?.conversationsFree == 1)
        #expect(types["free_entry_point"]?.conversationsFree == 1)
        // Conversation costs and message costs apart.
        let kinds = Self.rows(try await Self.insights(store, .accounts(["A"]), "2024-03", "2024-03", by: ["kind"]))
        #expect(kinds["conversation"]?.cost == "0.0099")
        #expect(kinds["conversation"]?.conversationsDelivered == 3)
        #expect(kinds["message"]?.messagesDelivered == 3)
        #expect(kinds["message"]?.cost == 0)
        let directions = Self.rows(
            try await Self.insights(store, .accounts(["A"]), "2024-03", "2024-03", by: ["direction"]))
        #expect(directions["business_initiated"]?.conversationsDelivered == 1)
        #expect(directions["user_initiated"]?.conversationsDelivered == 2)
    }

    @Test("costs stay per currency; a portfolio is its accounts", arguments: StoreBackend.all)
    func currenciesAndScopes(_ backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        let all = try await Self.insights(store, .all, "2024-01", "2026-03", by: ["account"])
        #expect(all.totals.map(\.currency) == ["EUR", "USD"])
        #expect(all.totals.map(\.metrics.cost) == ["0.011", "0.0842"])
        #expect(all.rows.map(\.values) == [["E"], ["A"], ["K"]])
        let portfolio = try await Self.insights(store, .portfolio("P"), "2024-01", "2026-03")
        #expect(portfolio.accounts == ["A", "K"])
        #expect(portfolio.totals.map(\.currency) == ["USD"])

        await #expect(throws: LedgerStoreError.unknownPortfolio("Q")) {
            try await Self.insights(store, .portfolio("Q"), "2026-02", "2026-02")
        }
        await #expect(throws: LedgerStoreError.unknownAccount("Z")) {
            try await Self.insights(store, .accounts(["K", "Z"]), "2026-02", "2026-02")
        }
    }
}
