import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing

/// One month priced by hand and by wameter: several markets and categories, a rate change in the
/// middle of the month (on the account's local day, not UTC's, imported as a patch of the card in
/// force), volume tiers crossed, and a tier table replaced mid-month.
@Suite("A mixed month, costed by hand", .closesStores)
struct MixedMonthCostTests {
    static let rates = """
        effective_from,currency,market,category,rate
        2026-01-01,USD,India,marketing,0.0118
        2026-03-15,USD,India,marketing,0.0130
        2026-01-01,USD,Brazil,marketing,0.0625
        2026-01-01,USD,North America,utility,0.0034
        2026-01-01,USD,India,authentication,0.0014
        2026-01-01,USD,India,authentication_international,0.0280
        """
    static let tiers = """
        effective_from,currency,market,category,volume_from,volume_to,rate
        2026-01-01,USD,India,utility,1,2,0.0014
        2026-01-01,USD,India,utility,3,4,0.0010
        2026-01-01,USD,India,utility,5,,0.0005
        2026-03-15,USD,India,utility,1,2,0.0012
        2026-03-15,USD,India,utility,3,,0.0008
        """

    @Test("March 2026 in Asia/Kolkata", arguments: StoreBackend.all)
    func march(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        _ = try await store.upsertAccount(Account(id: "A", timezone: "Asia/Kolkata", currency: "USD"))
        let rates = try RateCardImport.parse(Self.rates).rates
        try await store.importRates(
            rates.filter { $0.effectiveFrom == 2026_01_01 }, tiers: try RateCardImport.parse(Self.tiers).tiers)
        try await store.importRates(
            rates.filter { $0.effectiveFrom == 2026_03_15 }, tiers: [], kind: .patch, importedAt: 0)
        let india = "919876543210"
        let bodies = [
            // Marketing: 0.0118 before the local 15th, 0.0130 from it. 20:00 UTC on the 14th is
            // 01:30 on the 15th in Kolkata.
            LedgerScenario.status(
                "m1", "delivered", at: utc("2026-03-10T06:00:00Z"), to: india, pricing: LedgerScenario.pmp("marketing")),
            LedgerScenario.status(
                "m2", "delivered", at: utc("2026-03-14T20:00:00Z"), to: india, pricing: LedgerScenario.pmp("marketing")),
            LedgerScenario.status(
                "m3", "delivered", at: utc("2026-03-20T06:00:00Z"), to: "5511987654321",
                pricing: LedgerScenario.pmp("marketing")),
            LedgerScenario.status(
                "m4", "delivered", at: utc("2026-03-05T06:00:00Z"), to: "16505551234",
                pricing: LedgerScenario.pmp("utility")),
            // India utility, places 1–6: 0.0014, 0.0014, 0.0010 (old table), then the new table from
            // the 15th: places 4, 5, 6 are in its "3+" tier at 0.0008.
            LedgerScenario.status(
                "u1", "delivered", at: utc("2026-03-02T06:00:00Z"), to: india, pricing: LedgerScenario.pmp("utility")),
            LedgerScenario.status(
                "u2", "delivered", at: utc("2026-03-03T06:00:00Z"), to: india, pricing: LedgerScenario.pmp("utility")),
            LedgerScenario.status(
                "u3", "delivered", at: utc("2026-03-04T06:00:00Z"), to: india, pricing: LedgerScenario.pmp("utility")),
            LedgerScenario.status(
                "u4", "delivered", at: utc("2026-03-16T06:00:00Z"), to: india, pricing: LedgerScenario.pmp("utility")),
            LedgerScenario.status(
                "u5", "delivered", at: utc("2026-03-17T06:00:00Z"), to: india, pricing: LedgerScenario.pmp("utility")),
            LedgerScenario.status(
                "u6", "delivered", at: utc("2026-03-18T06:00:00Z"), to: india, pricing: LedgerScenario.pmp("utility")),
            // Authentication (flat, no tier table) and authentication-international.
            LedgerScenario.status(
                "a1", "delivered", at: utc("2026-03-06T06:00:00Z"), to: india,
                pricing: LedgerScenario.pmp("authentication")),
            LedgerScenario.status(
                "a2", "delivered", at: utc("2026-03-07T06:00:00Z"), to: india,
                pricing: LedgerScenario.pmp("authentication_international")),
            // Free: a service reply and a utility template inside a customer-service window.
            LedgerScenario.status(
                "f1", "delivered", at: utc("2026-03-08T06:00:00Z"), to: india,
                pricing: LedgerScenario.pmp("service", type: "free_customer_service")),
            LedgerScenario.status(
                "f2", "delivered", at: utc("2026-03-09T06:00:00Z"), to: india,
                pricing: LedgerScenario.pmp("utility", type: "free_customer_service")),
            // Sent, never delivered: not charged.
            LedgerScenario.status(
                "p1", "sent", at: utc("2026-03-25T06:00:00Z"), to: india, pricing: LedgerScenario.pmp("marketing")),
        ]
        try await LedgerScenario.ingest(store, bodies.shuffled())
        let report = try await LedgerScenario.report(store, "A", "2026-03", now: utc("2026-03-31T12:00:00Z"))

        let marketing = Decimal(string: "0.0118")! + Decimal(string: "0.0130")! + Decimal(string: "0.0625")!
        let indiaUtility = Decimal(string: "0.0014")! * 2 + Decimal(string: "0.0010")! + Decimal(string: "0.0008")! * 3
        let total =
            marketing + Decimal(string: "0.0034")! + indiaUtility + Decimal(string: "0.0014")!
            + Decimal(string: "0.0280")!
        #expect(report.cost.total == "0.1263")
        #expect(formatMoney(total) == "0.1263")
        #expect(report.messages.charged == 12)
        #expect(report.messages.pending == 1)
        #expect(report.byMarket["India"] == .init(charged: 10, cost: "0.0604"))
        #expect(report.byMarket["Brazil"] == .init(charged: 1, cost: "0.0625"))
        #expect(report.byMarket["North America"] == .init(charged: 1, cost: "0.0034"))
        #expect(report.messages.byCategory["utility"] == .init(delivered: 8, charged: 7, cost: "0.0096"))
        #expect(report.volumeTiers.first { $0.category == "utility" && $0.market == "India" }?.tier == "3:MAX")
        #expect(report.unrated.count == 0)
        // The CSV rows add up to the same total.
        let csvTotal = report.lines.reduce(Decimal(0)) { $0 + $1.cost }
        #expect(formatMoney(csvTotal) == "0.1263")
    }
}
