import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing

/// Everything besides the card's list rate that changes what a charged unit costs (reference §7).
/// Priced with the built-in card (India marketing 0.0118, Brazil marketing 0.0625, India
/// authentication-international 0.0280 in February 2026).
@Suite("Rate overrides", .closesStores)
struct RateOverrideTests {
    let t = utc("2026-02-03T10:00:00Z")

    func store(_ backend: StoreBackend) async throws -> any LedgerStore {
        try await backend.makeStore(accounts: [Account(id: "A", timezone: "UTC", currency: "USD")])
    }

    @Test(
        "pricing.cost on a max-price delivery replaces the card's rate; another currency does not",
        arguments: StoreBackend.all)
    func webhookCost(_ backend: StoreBackend) async throws {
        let store = try await store(backend)
        try await LedgerScenario.ingest(
            store,
            [
                LedgerScenario.costedDelivery("c1", at: t, amount: "0.0035"),
                LedgerScenario.costedDelivery("c2", at: t + 60, amount: "0.0040"),
                LedgerScenario.costedDelivery("c3", at: t + 120, amount: "0.29", currency: "INR"),
                LedgerScenario.status("m1", "delivered", at: t, pricing: LedgerScenario.pmp("marketing_lite")),
            ])
        let report = try await LedgerScenario.report(store, "A", "2026-02")
        #expect(report.messages.charged == 4)
        #expect(report.webhookPriced == .init(charged: 2, cost: "0.0075"))
        #expect(report.cost.total == "0.0311")  // 0.0035 + 0.0040 + 2 × 0.0118 (card, marketing rate)
    }

    @Test(
        "no phone number: the contact's country decides the market; with neither, market Unknown is reported",
        arguments: StoreBackend.all)
    func businessScopedUsers(_ backend: StoreBackend) async throws {
        let store = try await store(backend)
        try await LedgerScenario.ingest(
            store,
            [
                LedgerScenario.bsuidDelivery("u1", at: t, countryCode: "BR"),
                LedgerScenario.bsuidDelivery("u2", at: t + 60, countryCode: nil),
            ])
        let report = try await LedgerScenario.report(store, "A", "2026-02")
        #expect(report.byCountry["BR"] == .init(charged: 1, cost: "0.0625"))
        #expect(report.byMarket["Unknown"] == .init(charged: 1, cost: "0", unrated: 1))
        #expect(
            report.unrated.units == [
                .init(kind: "message", category: "marketing", market: "Unknown", country: "", count: 1)
            ])
    }

    @Test("a group message is charged once per member it reaches, at each member's rate", arguments: StoreBackend.all)
    func groups(_ backend: StoreBackend) async throws {
        let store = try await store(backend)
        let bodies = [
            LedgerScenario.groupSent("g1", at: t),
            LedgerScenario.groupDelivery("g1", member: "919876543210", at: t + 5),
            LedgerScenario.groupDelivery("g1", member: "919812345678", at: t + 6),
            LedgerScenario.groupDelivery("g1", member: "5511987654321", at: t + 7),
            LedgerScenario.groupDelivery("g1", member: "5511987654321", at: t + 9),  // a retry
        ]
        try await LedgerScenario.ingest(store, bodies)
        let report = try await LedgerScenario.report(store, "A", "2026-02")
        #expect(report.messages.sent == 1)
        #expect(report.messages.delivered == 3)
        #expect(report.messages.charged == 3)
        #expect(report.messages.pending == 0)
        #expect(report.byMarket["India"] == .init(charged: 2, cost: "0.0236"))
        #expect(report.byMarket["Brazil"] == .init(charged: 1, cost: "0.0625"))
    }

    @Test("authentication_international in either spelling gets its own rate", arguments: StoreBackend.all)
    func authenticationInternational(_ backend: StoreBackend) async throws {
        let store = try await store(backend)
        try await LedgerScenario.ingest(
            store,
            [
                LedgerScenario.status(
                    "a1", "delivered", at: t, pricing: LedgerScenario.pmp("authentication-international")),
                LedgerScenario.status(
                    "a2", "delivered", at: t, pricing: LedgerScenario.pmp("AUTHENTICATION_INTERNATIONAL")),
            ])
        let report = try await LedgerScenario.report(store, "A", "2026-02")
        #expect(report.messages.byCategory["authentication_international"]?.cost == "0.056")
    }

    @Test(
        "an unknown category is charged, counted and listed as unrated, never priced at zero silently",
        arguments: StoreBackend.all)
    func unknownCategory(_ backend: StoreBackend) async throws {
        let store = try await store(backend)
        try await LedgerScenario.ingest(
            store,
            [
                LedgerScenario.status("x1", "delivered", at: t, pricing: LedgerScenario.pmp("business_agent")),
                // The analytics enum's AI_BOT (Meta Business Agent traffic; reference §7.12), as a webhook may spell it.
                LedgerScenario.status("x2", "delivered", at: t, pricing: LedgerScenario.pmp("AI_BOT")),
            ])
        let report = try await LedgerScenario.report(store, "A", "2026-02")
        #expect(report.messages.charged == 2)
        #expect(report.unrated.count == 2)
        #expect(Set(report.unrated.units.map(\.category)) == ["business_agent", "ai_bot"])
        #expect(report.messages.byCategory["ai_bot"]?.charged == 1)
        #expect(report.cost.total == "0")
    }
}
