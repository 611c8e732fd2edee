import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing

@Suite("Rating with imported rate cards", .closesStores)
struct RatingTests {
    @Test(
        "cost = rate in force on the delivery day × charged units, in the account's currency",
        arguments: StoreBackend.all)
    func cost(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        _ = try await store.upsertAccount(Account(id: "A", timezone: "Asia/Kolkata", currency: "USD"))
        try await store.importRates(
            try RateCardImport.parse(
                """
                effective_from,currency,market,category,rate
                2026-01-01,USD,India,marketing,0.0118
                2026-04-01,USD,India,marketing,0.0130
                2026-01-01,USD,Brazil,utility,0.0068
                2026-01-01,INR,India,marketing,0.8631
                """
            ).rates, tiers: [])
        // March 31st 20:00 UTC is already April 1st in India: the new rate applies.
        try await LedgerScenario.ingest(
            store,
            [
                LedgerScenario.status(
                    "m1", "delivered", at: utc("2026-03-31T10:00:00Z"), pricing: LedgerScenario.pmp("marketing")),
                LedgerScenario.status(
                    "m2", "delivered", at: utc("2026-03-31T20:00:00Z"), pricing: LedgerScenario.pmp("marketing")),
                LedgerScenario.status(
                    "m3", "delivered", at: utc("2026-04-02T10:00:00Z"), to: "5511987654321",
                    pricing: LedgerScenario.pmp("utility")),
                LedgerScenario.status(
                    "m4", "delivered", at: utc("2026-04-02T10:00:00Z"), to: "5511987654321",
                    pricing: LedgerScenario.pmp("marketing")
                ),
            ])
        let march = try await LedgerScenario.report(store, "A", "2026-03")
        #expect(march.cost.total == "0.0118")
        let april = try await LedgerScenario.report(store, "A", "2026-04")
        #expect(april.messages.charged == 3)
        #expect(april.cost.total == "0.0198")  // 0.0130 + 0.0068; m4 has no Brazil marketing rate
        #expect(april.unrated.count == 1)
        #expect(
            april.unrated.units == [
                .init(kind: "message", category: "marketing", market: "Brazil", country: "BR", count: 1)
            ])
    }

    @Test(
        "an imported card replaces the built-in card of its day as a whole, without a rebuild; removing it brings the built-in one back",
        arguments: StoreBackend.all)
    func ratesAppliedAtReportTime(_ backend: StoreBackend) async throws {
        let store = try await Self.indiaAndNorthAmerica(backend, at: utc("2026-02-02T10:00:00Z"))
        // Built-in card: India marketing 0.0118 + North America marketing 0.0250.
        #expect(try await LedgerScenario.report(store, "A", "2026-02").cost.total == "0.0368")
        try await store.importRates(
            [
                RateEntry(
                    effectiveFrom: 2026_01_01, currency: "USD", market: "India", category: "marketing",
                    rate: Decimal(string: "0.02")!)
            ], tiers: [])
        // The import replaces the built-in USD card of 2026-01-01 as a whole: North America is now unrated.
        let report = try await LedgerScenario.report(store, "A", "2026-02")
        #expect(report.cost.total == "0.02")
        #expect(report.unrated.count == 1)
        #expect(report.unrated.units.first?.market == "North America")
        #expect(report.byMarket["North America"] == Report.ChargedLine(charged: 1, cost: 0, unrated: 1))
        #expect(report.rateCards.map(\.label) == ["USD 2026-01-01 whole, imported"])

        // A patch over it changes only what it lists.
        try await store.importRates(
            [
                RateEntry(
                    effectiveFrom: 2026_01_01, currency: "USD", market: "North America", category: "marketing",
                    rate: Decimal(string: "0.03")!)
            ], tiers: [], kind: .patch, importedAt: 1)
        #expect(try await LedgerScenario.report(store, "A", "2026-02").cost.total == "0.05")
        #expect(try await store.rateCards().map(\.kind) == [.whole])

        #expect(try await store.removeRateCard(currency: "USD", effectiveFrom: 2026_01_01, product: .messaging))
        #expect(try await !store.removeRateCard(currency: "USD", effectiveFrom: 2026_01_01, product: .messaging))
        #expect(try await store.rateEntries().isEmpty)
        let restored = try await LedgerScenario.report(store, "A", "2026-02")
        #expect(restored.cost.total == "0.0368")
        #expect(restored.rateCards.map(\.label) == ["USD 2026-01-01 whole, built-in (transcription)"])
    }

    @Test(
        "a patch of a few markets on a new day changes those and keeps the card in force; tiers alone never end a card",
        arguments: StoreBackend.all)
    func patchesAndTierCards(_ backend: StoreBackend) async throws {
        let store = try await Self.indiaAndNorthAmerica(backend, at: utc("2026-02-20T10:00:00Z"))
        try await store.importRates(
            [
                RateEntry(
                    effectiveFrom: 2026_02_15, currency: "USD", market: "India", category: "marketing",
                    rate: Decimal(string: "0.02")!)
            ], tiers: [], kind: .patch, importedAt: 1)
        // India from the patch, North America still from the built-in 2026-01-01 card.
        #expect(try await LedgerScenario.report(store, "A", "2026-02").cost.total == "0.045")
        try await store.importRates(
            [],
            tiers: [
                TierEntry(
                    effectiveFrom: 2026_02_10, currency: "USD", market: "India", category: "utility", volumeFrom: 1,
                    volumeTo: nil, rate: Decimal(string: "0.001")!)
            ])
        #expect(try await store.rateCards().map(\.kind) == [.patch, .patch])
        #expect(try await LedgerScenario.report(store, "A", "2026-02").cost.total == "0.045")
    }

    /// Account A (UTC, USD) with one marketing message delivered to India and one to North America.
    static func indiaAndNorthAmerica(_ backend: StoreBackend, at time: Int64) async throws -> any LedgerStore {
        let store = try await backend.makeStore()
        _ = try await store.upsertAccount(Account(id: "A", timezone: "UTC", currency: "USD"))
        try await LedgerScenario.ingest(
            store,
            [
                LedgerScenario.status("m", "delivered", at: time, pricing: LedgerScenario.pmp("marketing")),
                LedgerScenario.status(
                    "n", "delivered", at: time, to: "16505551234", pricing: LedgerScenario.pmp("marketing")),
            ])
        return store
    }

    @Test(
        "a calling card is stored, listed and removed apart from the messaging card of the same day",
        arguments: StoreBackend.all)
    func callingCards(_ backend: StoreBackend) async throws {
        let store = try await Self.indiaAndNorthAmerica(backend, at: utc("2026-02-02T10:00:00Z"))
        let calling = try RateCardImport.parse(
            "effective_from,currency,market,rate_per_minute\n2026-01-01,USD,India,0.0050\n")
        try await store.importRates(calling.rates, tiers: [])
        #expect(
            try await store.rateCards().map { "\($0.currency) \($0.effectiveFrom) \($0.product) \($0.kind)" } == [
                "USD 20260101 calling whole"
            ])
        // The messaging card of 2026-01-01 is still the built-in one.
        let report = try await LedgerScenario.report(store, "A", "2026-02")
        #expect(report.cost.total == "0.0368")
        #expect(report.rateCards.map(\.label) == ["USD 2026-01-01 whole, built-in (transcription)"])
        #expect(try await !store.removeRateCard(currency: "USD", effectiveFrom: 2026_01_01, product: .messaging))
        #expect(try await store.removeRateCard(currency: "USD", effectiveFrom: 2026_01_01, product: .calling))
        #expect(try await store.rateEntries().isEmpty)
    }
}
