import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing
import TrafficSimulator

/// SQLite and PostgreSQL give the same reports, to the byte, for a ledger that covers every pricing
/// era (NBP, CBP with the 1,000-conversation free tier, service-only free tier, free service, PMP,
/// the 2026-10 changes), volume tiers past a boundary across a portfolio in several time zones,
/// webhook-priced messages, pending and dropped units, and unrated ones. Both are read by the same
/// `ReportPlan`; this is what shows their primitives agree.
@Suite("SQLite and PostgreSQL agree", .closesStores, .enabled(if: StoreBackend.postgresURL != nil))
struct BackendParityTests {
    static let tiers = """
        effective_from,currency,market,category,volume_from,volume_to,rate
        2025-07-01,USD,India,utility,1,40,0.0014
        2025-07-01,USD,India,utility,41,80,0.0010
        2025-07-01,USD,India,utility,81,,0.0005
        2025-07-01,USD,India,authentication,1,30,0.0012
        2025-07-01,USD,India,authentication,31,,0.0008
        """

    /// A few rates from 2022 on, so that earlier eras are priced too (the Meta card is 2026-10).
    static let rates = """
        effective_from,currency,market,category,rate
        2022-01-01,USD,India,marketing,0.0099
        2022-01-01,USD,India,utility,0.0042
        2022-01-01,USD,Brazil,marketing,0.0625
        2023-06-01,USD,Germany,marketing,0.1365
        2025-07-01,USD,India,marketing,0.0107
        2025-07-01,USD,Brazil,utility,0.0068
        """

    static let accounts =
        SimulatedAccount.demo.map(\.account) + [
            Account(id: "A", timezone: "UTC", currency: "USD", portfolio: "P"),
            Account(id: "B", timezone: "Asia/Kolkata", currency: "USD", portfolio: "P"),
        ]

    /// Simulated traffic at the start of each era, and hand-made months that pass the free tiers.
    static func bodies() -> [Data] {
        var bodies: [Data] = []
        let starts = ["2021-11-01", "2022-03-01", "2023-07-01", "2024-12-01", "2025-08-01", "2026-10-01"]
        for (index, start) in starts.enumerated() {
            var simulator = TrafficSimulator(
                SimulationSettings(seed: UInt64(index + 1), start: utc(start + "T00:00:00Z"), meanGapSeconds: 4_000))
            for _ in 0..<900 { bodies.append(simulator.next().bytes) }
        }
        // 2022-05: 1,003 conversations, the first 1,000 by first delivery free, two free entry points.
        let may = utc("2022-05-02T00:00:00Z")
        for n in 0..<1_005 {
            let pricing = LedgerScenario.cbp(n % 3 == 0 ? "utility" : "marketing", billable: n < 1_003)
            bodies.append(
                LedgerScenario.status(
                    "may\(n)", "delivered", at: may + Int64(n) * 600, to: n % 2 == 0 ? "919876543210" : "5511987654321",
                    pricing: pricing, conversation: "cmay\(n)", origin: n < 1_003 ? nil : "referral_conversion"))
        }
        // 2023-08: service-only free tier (1,002 service conversations, 5 marketing).
        let august = utc("2023-08-01T00:00:00Z")
        for n in 0..<1_007 {
            bodies.append(
                LedgerScenario.status(
                    "aug\(n)", "delivered", at: august + Int64(n) * 900,
                    pricing: LedgerScenario.cbp(n < 1_002 ? "service" : "marketing"), conversation: "caug\(n)"))
        }
        // 2026-02: a portfolio passing India's utility and authentication tiers, from two zones;
        // webhook-priced messages; sent and never delivered (pending and dropped).
        let february = utc("2026-02-01T00:00:00Z")
        for n in 0..<120 {
            let account = n % 3 == 0 ? "B" : "A"
            let category = n % 4 == 0 ? "authentication" : "utility"
            bodies.append(
                LedgerScenario.status(
                    account: account, "feb\(n)", "delivered", at: february + Int64(n) * 20_000,
                    pricing: LedgerScenario.pmp(category)))
        }
        for n in 0..<6 {
            bodies.append(LedgerScenario.costedDelivery("cost\(n)", at: february + Int64(n) * 3_600, amount: "0.0105"))
            bodies.append(LedgerScenario.status("lost\(n)", "sent", at: february + Int64(n) * 400_000))
        }
        bodies.append(
            LedgerScenario.tierUpdate(
                month: "2026-02", region: "India", category: "UTILITY", tier: "0:100000", at: february))
        return bodies
    }

    @Test("every account and month: the same report JSON and CSV from both backends")
    func sameReports() async throws {
        let bodies = Self.bodies()
        let card = try RateCardImport.parse(Fixtures.text("meta-rate-card-usd-2026-10-01.csv"))
        let tiers = try RateCardImport.parse(Self.tiers).tiers
        var stores: [any LedgerStore] = []
        for backend in [StoreBackend.sqlite, .postgres] {
            let store = try await backend.makeStore(accounts: Self.accounts)
            try await store.importRates(card.rates + (try RateCardImport.parse(Self.rates).rates), tiers: tiers)
            // In groups, as the server's committer would form them.
            var start = 0
            while start < bodies.count {
                try await LedgerScenario.ingest(store, Array(bodies[start..<min(start + 500, bodies.count)]))
                start += 500
            }
            stores.append(store)
        }
        let now = utc("2026-03-20T00:00:00Z")
        var compared = 0
        var seen = (freeTier: 0, tiers: 0, webhookPriced: 0, dropped: 0, pending: 0, unrated: 0)
        for account in Self.accounts {
            var month = YearMonth(year: 2021, month: 11)
            while month <= YearMonth(year: 2026, month: 11) {
                let sqlite = try await stores[0].report(accountID: account.id, month: month, now: now)
                let postgres = try await stores[1].report(accountID: account.id, month: month, now: now)
                #expect(sqlite.jsonData() == postgres.jsonData(), "\(account.id) \(month)")
                #expect(sqlite.csvText() == postgres.csvText(), "\(account.id) \(month)")
                // Every breakdown sums to the totals.
                let charged = sqlite.messages.charged + sqlite.conversations.charged
                #expect(sqlite.byPhoneNumber.values.reduce(0) { $0 + $1.charged } == charged)
                #expect(sqlite.byMarket.values.reduce(0) { $0 + $1.charged } == charged)
                #expect(sqlite.byPhoneNumber.values.reduce(Decimal(0)) { $0 + $1.cost } == sqlite.cost.total)
                compared += 1
                seen.freeTier += sqlite.conversations.freeTier
                seen.tiers += sqlite.volumeTiers.filter { $0.tier != nil && $0.tier != "1:40" }.count
                seen.webhookPriced += sqlite.webhookPriced.charged
                seen.dropped += sqlite.messages.dropped + sqlite.conversations.dropped
                seen.pending += sqlite.messages.pending + sqlite.conversations.pending
                seen.unrated += sqlite.unrated.count
                month = month.next
            }
        }
        #expect(compared == Self.accounts.count * 61)
        // The scenario reaches what it claims to, so agreement is not agreement on nothing.
        #expect(seen.freeTier >= 2_000)
        #expect(seen.tiers > 0)
        #expect(seen.webhookPriced >= 6)
        #expect(seen.dropped > 0)
        #expect(seen.unrated > 0)
    }
}
