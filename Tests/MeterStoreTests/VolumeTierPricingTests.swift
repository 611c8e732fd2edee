import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing
import TrafficSimulator

/// Volume tiers end to end: webhooks in, portfolio pools counted, marginal rates applied in delivery
/// order, Meta's tier webhooks shown next to the computed tier.
@Suite("Volume-tier pricing", .closesStores)
struct VolumeTierPricingTests {
    /// India utility: 1–3 at 0.0014, 4–5 at 0.0010, 6 and up at 0.0005.
    static let tiers = """
        effective_from,currency,market,category,volume_from,volume_to,rate
        2026-01-01,USD,India,utility,1,3,0.0014
        2026-01-01,USD,India,utility,4,5,0.0010
        2026-01-01,USD,India,utility,6,,0.0005
        """

    func store(_ backend: StoreBackend, _ accounts: [Account]) async throws -> any LedgerStore {
        let store = try await backend.makeStore(accounts: accounts)
        try await store.importRates([], tiers: try RateCardImport.parse(Self.tiers).tiers)
        return store
    }

    func utility(_ account: String, _ id: String, at time: Int64) -> Data {
        LedgerScenario.status(account: account, id, "delivered", at: time, pricing: LedgerScenario.pmp("utility"))
    }

    @Test(
        "one account: N-1, N and N+1 messages at each boundary cost the marginal sum",
        arguments: StoreBackend.all,
        [(2, "0.0028"), (3, "0.0042"), (4, "0.0052"), (5, "0.0062"), (6, "0.0067"), (7, "0.0072")])
    func boundaries(_ backend: StoreBackend, expected: (count: Int, cost: Decimal)) async throws {
        let (count, cost) = expected
        let store = try await store(backend, [Account(id: "A", timezone: "UTC", currency: "USD")])
        let start = utc("2026-02-03T10:00:00Z")
        // Several a day, so the daily path (at most 3) and the ordered path (4 and up) both run.
        try await LedgerScenario.ingest(
            store, (0..<count).map { utility("A", "u\($0)", at: start + Int64($0) * 20_000) })
        let report = try await LedgerScenario.report(store, "A", "2026-02")
        #expect(report.messages.charged == count)
        #expect(report.cost.total == cost)
        let expectedTier = count <= 3 ? "1:3" : count <= 5 ? "4:5" : "6:MAX"
        #expect(
            report.volumeTiers == [
                .init(
                    market: "India", category: "utility", charged: count, portfolioCharged: count, tier: expectedTier,
                    metaTier: nil, metaTierUpdatedAt: nil)
            ])
    }

    @Test(
        "two accounts of one portfolio, interleaved: each message gets its place in the shared count",
        arguments: StoreBackend.all)
    func interleaved(_ backend: StoreBackend) async throws {
        let store = try await store(
            backend,
            [
                Account(id: "A", timezone: "UTC", currency: "USD", portfolio: "P"),
                Account(id: "B", timezone: "UTC", currency: "USD", portfolio: "P"),
            ])
        let start = utc("2026-02-03T10:00:00Z")
        // A, B, A, B, A, B, A: A holds places 1, 3, 5, 7 and B places 2, 4, 6. Sent in another order.
        let bodies = (0..<7).map { utility($0 % 2 == 0 ? "A" : "B", "m\($0)", at: start + Int64($0) * 60) }
        try await LedgerScenario.ingest(store, bodies.reversed())
        let a = try await LedgerScenario.report(store, "A", "2026-02")
        let b = try await LedgerScenario.report(store, "B", "2026-02")
        #expect(a.cost.total == "0.0043")  // 0.0014 + 0.0014 + 0.0010 + 0.0005
        #expect(b.cost.total == "0.0029")  // 0.0014 + 0.0010 + 0.0005
        #expect(a.volumeTiers.first?.charged == 4)
        #expect(a.volumeTiers.first?.portfolioCharged == 7)
        #expect(a.volumeTiers.first?.tier == "6:MAX")
        // An account outside the portfolio has its own pool.
        _ = try await store.upsertAccount(Account(id: "C", timezone: "UTC", currency: "USD"))
        try await LedgerScenario.ingest(store, [utility("C", "c1", at: start)])
        #expect(try await LedgerScenario.report(store, "C", "2026-02").cost.total == "0.0014")
        #expect(try await LedgerScenario.report(store, "A", "2026-02").cost.total == "0.0043")
    }

    @Test(
        "two time zones: each message counts in its own account's month, ordered by delivery time",
        arguments: StoreBackend.all)
    func timeZones(_ backend: StoreBackend) async throws {
        let store = try await store(
            backend,
            [
                Account(id: "A", timezone: "Asia/Kolkata", currency: "USD", portfolio: "P"),
                Account(id: "B", timezone: "America/New_York", currency: "USD", portfolio: "P"),
            ])
        try await LedgerScenario.ingest(
            store,
            [
                utility("B", "b1", at: utc("2026-02-01T03:00:00Z")),  // New York: January 31st
                utility("B", "b2", at: utc("2026-02-10T12:00:00Z")),  // February, place 1
                utility("A", "a1", at: utc("2026-02-10T12:00:30Z")),  // February, place 2
                utility("B", "b3", at: utc("2026-02-10T12:01:00Z")),  // February, place 3
                utility("A", "a3", at: utc("2026-02-11T12:00:00Z")),  // February, place 4
                utility("A", "a2", at: utc("2026-02-28T20:00:00Z")),  // Kolkata: March 1st
            ])
        let a = try await LedgerScenario.report(store, "A", "2026-02")
        #expect(a.messages.charged == 2)
        #expect(a.cost.total == "0.0024")  // place 2 at 0.0014, place 4 at 0.0010
        #expect(a.volumeTiers.first?.portfolioCharged == 4)
        #expect(try await LedgerScenario.report(store, "B", "2026-02").cost.total == "0.0028")
        #expect(try await LedgerScenario.report(store, "A", "2026-03").cost.total == "0.0014")
        #expect(try await LedgerScenario.report(store, "B", "2026-01").cost.total == "0.0014")

        // The portfolio's insights price both months at once, each member reading the other's
        // pool counts from what the snapshot already read: the same as the two reports.
        let query = InsightsQuery(
            from: DayKeys.parse("2026-02-01")!, to: DayKeys.parse("2026-02-28")!, dimensions: [.account])
        let insights = try await store.insights(scope: .portfolio("P"), query: query, now: utc("2026-03-10T00:00:00Z"))
        #expect(
            insights.rows.map { "\($0.values[0]) \($0.metrics.messagesCharged) \($0.metrics.cost)" } == [
                "A 2 0.0024", "B 2 0.0028",
            ])
        #expect(insights.totals.map(\.metrics.cost) == ["0.0052"])
    }

    @Test(
        "authentication-international shares the authentication pool; group utility and free messages count in none",
        arguments: StoreBackend.all)
    func poolMembership(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        _ = try await store.upsertAccount(Account(id: "A", timezone: "UTC", currency: "USD"))
        try await store.importRates(
            [
                RateEntry(
                    effectiveFrom: 2026_01_01, currency: "USD", market: "India",
                    category: "authentication_international",
                    rate: Decimal(string: "0.0280")!),
                RateEntry(
                    effectiveFrom: 2026_01_01, currency: "USD", market: "India", category: "utility",
                    rate: Decimal(string: "0.0014")!),
            ],
            tiers: try RateCardImport.parse(
                """
                effective_from,currency,market,category,volume_from,volume_to,rate
                2026-01-01,USD,India,authentication,1,1,0.0014
                2026-01-01,USD,India,authentication,2,,0.0007
                """
            ).tiers)
        let t = utc("2026-02-03T10:00:00Z")
        try await LedgerScenario.ingest(
            store,
            [
                LedgerScenario.status(
                    "i1", "delivered", at: t, pricing: LedgerScenario.pmp("authentication-international")),
                LedgerScenario.status("a1", "delivered", at: t + 60, pricing: LedgerScenario.pmp("authentication")),
                LedgerScenario.status(
                    "f1", "delivered", at: t + 30, pricing: LedgerScenario.pmp("utility", type: "free_customer_service")
                ),
                LedgerScenario.groupDelivery("g1", member: "919876543210", at: t + 10, category: "group_utility"),
            ])
        let report = try await LedgerScenario.report(store, "A", "2026-02")
        // i1 is place 1 (its own flat rate: no auth-intl tier table); a1 is place 2 of the same pool.
        #expect(report.cost.total == "0.0301")  // 0.0280 + 0.0007 + group utility 0.0014
        #expect(
            report.volumeTiers.map { "\($0.category):\($0.portfolioCharged):\($0.tier ?? "-")" } == [
                "authentication:2:2:MAX"
            ])
    }

    @Test(
        "a busy portfolio month in one time zone: tiers change inside days, half-hours and on their edges, as if every message were read in order",
        arguments: StoreBackend.all)
    func busyMonthInOneZone(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore(accounts: [
            Account(id: "A", timezone: "Asia/Kolkata", currency: "USD", portfolio: "P"),
            Account(id: "B", timezone: "Asia/Kolkata", currency: "USD", portfolio: "P"),
        ])
        // 1–30, 31–75, then 76 and up; 140 messages over four days, in bursts.
        let table: [(upTo: Int, rate: Decimal)] = [
            (30, Decimal(string: "0.0014")!), (75, Decimal(string: "0.0010")!), (Int.max, Decimal(string: "0.0005")!),
        ]
        try await store.importRates(
            [],
            tiers: try RateCardImport.parse(
                """
                effective_from,currency,market,category,volume_from,volume_to,rate
                2026-01-01,USD,India,utility,1,30,0.0014
                2026-01-01,USD,India,utility,31,75,0.0010
                2026-01-01,USD,India,utility,76,,0.0005
                """
            ).tiers)
        var random = SeededRandom(seed: 7)
        var used = Set<Int64>()
        var sent: [(account: String, id: String, at: Int64)] = []
        for index in 0..<140 {
            var at: Int64
            repeat {
                let day = Int64.random(in: 0..<4, using: &random)
                // Bursts at 09:00, 09:20 and 14:00 Kolkata time, seconds apart.
                let burst = [12_600, 13_800, 30_600].randomElement(using: &random)!
                at =
                    utc("2026-02-10T00:00:00Z") + day * 86_400 + Int64(burst)
                    + Int64.random(in: 0..<2_400, using: &random)
            } while !used.insert(at).inserted
            sent.append((Bool.random(using: &random) ? "A" : "B", "m\(index)", at))
        }
        try await LedgerScenario.ingest(store, sent.shuffled().map { utility($0.account, $0.id, at: $0.at) })
        // Every message in delivery order, priced at its place.
        var expected: [String: Decimal] = ["A": 0, "B": 0]
        for (place, message) in sent.sorted(by: { $0.at < $1.at }).enumerated() {
            expected[message.account]! += table.first { place + 1 <= $0.upTo }!.rate
        }
        #expect(try await LedgerScenario.report(store, "A", "2026-02").cost.total == expected["A"])
        #expect(try await LedgerScenario.report(store, "B", "2026-02").cost.total == expected["B"])
    }

    @Test("Meta's tier webhooks are stored once each and shown next to the computed tier", arguments: StoreBackend.all)
    func tierUpdates(_ backend: StoreBackend) async throws {
        let store = try await store(backend, [Account(id: "A", timezone: "UTC", currency: "USD")])
        try await LedgerScenario.ingest(
            store,
            [
                utility("A", "u1", at: utc("2026-02-03T10:00:00Z")),
                LedgerScenario.tierUpdate(
                    month: "2026-02", region: "India", category: "UTILITY", tier: "4:5", at: 1_770_200_000),
                LedgerScenario.tierUpdate(
                    month: "2026-02", region: "India", category: "UTILITY", tier: "4:5", at: 1_770_100_000),
                LedgerScenario.tierUpdate(
                    month: "2026-02", region: "India", category: "UTILITY", tier: "6:MAX", at: 1_770_300_000),
                LedgerScenario.tierUpdate(
                    month: "2026-01", region: "India", category: "UTILITY", tier: "6:MAX", at: 1_770_000_000),
                LedgerScenario.tierUpdate(
                    month: "2026-02", region: "Brazil", category: "AUTHENTICATION", tier: "1:3", at: 1_770_000_000),
            ])
        let report = try await LedgerScenario.report(store, "A", "2026-02")
        #expect(
            report.volumeTiers == [
                .init(
                    market: "Brazil", category: "authentication", charged: 0, portfolioCharged: 0, tier: nil,
                    metaTier: "1:3", metaTierUpdatedAt: 1_770_000_000),
                .init(
                    market: "India", category: "utility", charged: 1, portfolioCharged: 1, tier: "1:3",
                    metaTier: "6:MAX", metaTierUpdatedAt: 1_770_300_000),
            ])
        // Stored updates survive a rebuild from the archive unchanged.
        _ = try await store.rebuild(decoder: LedgerScenario.decoder)
        #expect(try await LedgerScenario.report(store, "A", "2026-02").volumeTiers == report.volumeTiers)
    }
}
