import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing

@Suite("Conversation free tiers", .closesStores)
struct FreeTierTests {
    /// `count` delivered conversations of a category, one minute apart from `start`.
    func conversations(
        _ count: Int, _ category: String, from start: Int64, prefix: String, to recipient: String = "919876543210"
    )
        -> [Data]
    {
        (0..<count).map {
            LedgerScenario.status(
                "\(prefix)\($0)", "delivered", at: start + Int64($0) * 60, to: recipient,
                pricing: LedgerScenario.cbp(category),
                conversation: "\(prefix)c\($0)")
        }
    }

    func store(_ backend: StoreBackend) async throws -> any LedgerStore {
        try await backend.makeStore(accounts: [Account(id: "A", timezone: "America/Sao_Paulo", currency: "USD")])
    }

    @Test(
        "2022: the first 1,000 conversations of any category are free, at 999, 1,000 and 1,001",
        arguments: StoreBackend.all, [999, 1_000, 1_001])
    func tier2022(_ backend: StoreBackend, count: Int) async throws {
        let store = try await store(backend)
        let start = utc("2022-05-03T12:00:00Z")
        try await LedgerScenario.ingest(
            store,
            conversations(count / 2, "business_initiated", from: start, prefix: "b")
                + conversations(count - count / 2, "user_initiated", from: start + 30, prefix: "u"))
        let report = try await LedgerScenario.report(store, "A", "2022-05")
        #expect(report.conversations.delivered == count)
        #expect(report.conversations.freeTier == min(count, 1_000))
        #expect(report.conversations.charged == max(0, count - 1_000))
    }

    @Test("\"first\" means first delivered, whatever the order of arrival", arguments: StoreBackend.all)
    func firstByDelivery(_ backend: StoreBackend) async throws {
        let store = try await store(backend)
        let start = utc("2022-05-03T12:00:00Z")
        // The last conversation to be delivered goes to Brazil and arrives first.
        let late = LedgerScenario.status(
            "late", "delivered", at: start + 86_400 * 5, to: "5511987654321",
            pricing: LedgerScenario.cbp("business_initiated"),
            conversation: "late")
        try await LedgerScenario.ingest(store, [late])
        try await LedgerScenario.ingest(store, conversations(1_000, "business_initiated", from: start, prefix: "b"))
        let report = try await LedgerScenario.report(store, "A", "2022-05")
        #expect(report.conversations.charged == 1)
        // Charged at the built-in 2022 card's Brazil business-initiated rate.
        #expect(report.byMarket == ["Brazil": Report.ChargedLine(charged: 1, cost: "0.05")])
        #expect(report.unrated.count == 0)
    }

    @Test("June 2023 to October 2024: only the first 1,000 service conversations are free", arguments: StoreBackend.all)
    func tier2023(_ backend: StoreBackend) async throws {
        let store = try await store(backend)
        let start = utc("2023-07-03T12:00:00Z")
        try await LedgerScenario.ingest(
            store,
            conversations(1_001, "service", from: start, prefix: "s")
                + conversations(5, "marketing", from: start, prefix: "m"))
        let report = try await LedgerScenario.report(store, "A", "2023-07")
        #expect(report.conversations.byCategory["service"]?.charged == 1)
        #expect(report.conversations.byCategory["marketing"]?.charged == 5)
        #expect(report.conversations.charged == 6)
        #expect(report.conversations.freeTier == 1_000)
    }

    @Test("from November 2024 every service conversation is free", arguments: StoreBackend.all)
    func serviceFree(_ backend: StoreBackend) async throws {
        let store = try await store(backend)
        try await LedgerScenario.ingest(
            store, conversations(1_200, "service", from: utc("2024-11-03T12:00:00Z"), prefix: "s"))
        let report = try await LedgerScenario.report(store, "A", "2024-11")
        #expect(report.conversations.delivered == 1_200)
        #expect(report.conversations.charged == 0)
    }

    @Test("free entry point conversations are free and do not use the free tier", arguments: StoreBackend.all)
    func freeEntryPoint(_ backend: StoreBackend) async throws {
        let store = try await store(backend)
        let start = utc("2022-05-03T12:00:00Z")
        let fep = (0..<3).map {
            LedgerScenario.status(
                "f\($0)", "delivered", at: start - 600,
                pricing: LedgerScenario.cbp("referral_conversion", billable: false),
                conversation: "fep\($0)", origin: "referral_conversion")
        }
        try await LedgerScenario.ingest(
            store, fep + conversations(1_001, "business_initiated", from: start, prefix: "b"))
        let report = try await LedgerScenario.report(store, "A", "2022-05")
        #expect(report.conversations.freeEntryPoint == 3)
        #expect(report.conversations.charged == 1)
        #expect(report.conversations.delivered == 1_004)
    }

    @Test("the free tier resets at local midnight of the 1st", arguments: StoreBackend.all)
    func resetsMonthly(_ backend: StoreBackend) async throws {
        let store = try await store(backend)
        // São Paulo is UTC-3: 2022-06-01T02:00Z is still May 31st there.
        try await LedgerScenario.ingest(
            store, conversations(1_000, "business_initiated", from: utc("2022-05-20T00:00:00Z"), prefix: "a"))
        try await LedgerScenario.ingest(
            store, conversations(1, "business_initiated", from: utc("2022-06-01T02:00:00Z"), prefix: "may"))
        try await LedgerScenario.ingest(
            store, conversations(1, "business_initiated", from: utc("2022-06-01T04:00:00Z"), prefix: "june"))
        #expect(try await LedgerScenario.report(store, "A", "2022-05").conversations.charged == 1)
        #expect(try await LedgerScenario.report(store, "A", "2022-06").conversations.charged == 0)
    }
}
