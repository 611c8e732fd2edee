import Foundation
import Testing
import WhatsAppWebhook

@testable import MeterCore

@Suite("Volume tiers")
struct VolumeTierTests {
    static func d(_ text: String) -> Decimal { Decimal(string: text)! }

    /// India utility: list rate for 1–100, 0.0010 for 101–250, 0.0005 from 251 (a small table, so
    /// every edge is cheap to reach).
    static let tiers = [
        TierEntry(
            effectiveFrom: 2026_01_01, currency: "USD", market: "India", category: "utility", volumeFrom: 0,
            volumeTo: 100, rate: d("0.0014")),
        TierEntry(
            effectiveFrom: 2026_01_01, currency: "USD", market: "India", category: "utility", volumeFrom: 101,
            volumeTo: 250, rate: d("0.0010")),
        TierEntry(
            effectiveFrom: 2026_01_01, currency: "USD", market: "India", category: "utility", volumeFrom: 251,
            volumeTo: nil, rate: d("0.0005")),
    ]
    static let card = RateCard(
        [
            RateEntry(
                effectiveFrom: 2026_01_01, currency: "USD", market: "India", category: "utility", rate: d("0.0014"))
        ],
        tiers: tiers)

    @Test(
        "message N gets the rate of the tier containing N (N-1, N, N+1 at every boundary)",
        arguments: [
            (1, "0.0014"), (2, "0.0014"), (99, "0.0014"), (100, "0.0014"), (101, "0.0010"), (102, "0.0010"),
            (249, "0.0010"), (250, "0.0010"), (251, "0.0005"), (252, "0.0005"), (1_000_000, "0.0005"),
        ])
    func position(n: Int, rate: String) {
        #expect(
            Self.card.rate(currency: "USD", market: "India", category: "utility", on: 2026_02_01, position: n)
                == Self.d(rate))
    }

    @Test(
        "marginal, not retroactive: the cost of the first N messages sums each tier's share",
        arguments: [
            (99, "0.1386"), (100, "0.14"), (101, "0.141"), (249, "0.289"), (250, "0.29"), (251, "0.2905"),
            (300, "0.315"),
        ])
    func marginal(count: Int, cost: String) {
        let run = VolumeTierPricing.Run(account: "A", day: 2026_02_01, category: "utility", country: "IN", count: count)
        let priced = VolumeTierPricing.price([run], market: "India", currency: "USD", card: Self.card)
        #expect(priced.map(\.cost) == [Self.d(cost)])
        #expect(priced.map(\.unrated) == [0])
        // Each tier's share of the run (the insights' `tier`) adds up to the run.
        let shares = priced.first?.tiers ?? []
        #expect(shares.reduce(0) { $0 + $1.count } == count)
        #expect(shares.reduce(Decimal(0)) { $0 + $1.cost } == Self.d(cost))
        #expect(shares.first?.count == min(count, 100))
        #expect(
            shares.map(\.tier) == Array(["0:100", "101:250", "251:MAX"].prefix(count > 250 ? 3 : count > 100 ? 2 : 1)))
    }

    @Test("a run split across days is priced from where the previous run left off")
    func runsContinue() {
        let runs = [
            VolumeTierPricing.Run(account: "A", day: 2026_02_01, category: "utility", country: "IN", count: 99),
            VolumeTierPricing.Run(account: "B", day: 2026_02_02, category: "utility", country: "IN", count: 3),
        ]
        let priced = VolumeTierPricing.price(runs, market: "India", currency: "USD", card: Self.card)
        // B's messages are the 100th (list rate), 101st and 102nd (tier 2).
        #expect(priced[1].cost == Self.d("0.0034"))
    }

    @Test("a new tier table mid-month applies from its day; the count carries on")
    func tableChangeMidMonth() {
        var tiers = Self.tiers
        tiers.append(
            TierEntry(
                effectiveFrom: 2026_02_15, currency: "USD", market: "India", category: "utility", volumeFrom: 1,
                volumeTo: 50, rate: Self.d("0.0020")))
        tiers.append(
            TierEntry(
                effectiveFrom: 2026_02_15, currency: "USD", market: "India", category: "utility", volumeFrom: 51,
                volumeTo: nil, rate: Self.d("0.0001")))
        let card = RateCard([], tiers: tiers)
        let runs = [
            VolumeTierPricing.Run(account: "A", day: 2026_02_14, category: "utility", country: "IN", count: 40),
            VolumeTierPricing.Run(account: "A", day: 2026_02_15, category: "utility", country: "IN", count: 20),
        ]
        let priced = VolumeTierPricing.price(runs, market: "India", currency: "USD", card: card)
        #expect(priced[0].cost == Self.d("0.056"))  // 40 × 0.0014 (old table, tier 1)
        #expect(priced[1].cost == Self.d("0.021"))  // 41st–50th × 0.0020 + 51st–60th × 0.0001
    }

    @Test("authentication-international accrues in the authentication pool; group utility in none")
    func pools() {
        #expect(TierPoolKey.poolCategory(of: "authentication_international") == "authentication")
        #expect(TierPoolKey.poolCategory(of: "authentication") == "authentication")
        #expect(TierPoolKey.poolCategory(of: "utility") == "utility")
        #expect(TierPoolKey.poolCategory(of: "group_utility") == nil)
        #expect(TierPoolKey.poolCategory(of: "marketing") == nil)
        #expect(TierPoolKey.poolCategory(of: "service") == nil)
    }

    @Test("runs follow delivery order across accounts; equal times are ordered by account and id")
    func ordering() {
        let units = [
            TierUnit(
                account: "B", messageId: "b1", deliveredAt: 10, day: 2026_02_01, category: "utility", country: "IN"),
            TierUnit(
                account: "A", messageId: "a2", deliveredAt: 20, day: 2026_02_01, category: "utility", country: "IN"),
            TierUnit(
                account: "A", messageId: "a1", deliveredAt: 5, day: 2026_02_01, category: "utility", country: "IN"),
            TierUnit(
                account: "A", messageId: "a3", deliveredAt: 10, day: 2026_02_01, category: "utility", country: "IN"),
        ]
        let runs = VolumeTierPricing.runs(of: units)
        #expect(runs.map(\.account) == ["A", "B", "A"])
        #expect(runs.map(\.count) == [2, 1, 1])
    }

    @Test("only pools whose total passes the first tier need delivery order")
    func crossing() {
        let pool = TierPoolKey(market: "India", category: "utility")
        func cells(_ n: Int) -> [TierPoolKey: [(day: DayKey, category: String, count: Int)]] {
            [pool: [(2026_02_01, "utility", n / 2), (2026_02_02, "utility", n - n / 2)]]
        }
        #expect(VolumeTierPricing.poolsCrossingATier(cells(100), currency: "USD", card: Self.card).isEmpty)
        #expect(VolumeTierPricing.poolsCrossingATier(cells(101), currency: "USD", card: Self.card) == [pool])
        #expect(VolumeTierPricing.poolsCrossingATier(cells(101), currency: "EUR", card: Self.card).isEmpty)
    }

    @Test("a market that becomes standalone starts its own pool on that day")
    func poolsSplit() {
        let rows = [
            RollupRow(
                key: RollupKey(day: 2026_09_30, metric: .messageCharged, category: "utility", country: "KW"), count: 4),
            RollupRow(
                key: RollupKey(day: 2026_10_01, metric: .messageCharged, category: "utility", country: "KW"), count: 2),
            RollupRow(
                key: RollupKey(day: 2026_10_01, metric: .messageCharged, category: "utility", country: "JO"), count: 1),
            RollupRow(
                key: RollupKey(day: 2026_10_01, metric: .messageCharged, category: "marketing", country: "JO"), count: 9
            ),
        ]
        let cells = VolumeTierPricing.cells(of: rows)
        #expect(cells[TierPoolKey(market: "Rest of Middle East", category: "utility")]?.map(\.count) == [4, 1])
        #expect(cells[TierPoolKey(market: "Kuwait", category: "utility")]?.map(\.count) == [2])
        #expect(cells.count == 2)
    }

    @Test("tier webhooks: complete VOLUME_BASED_PRICING_TIER_UPDATE events only")
    func tierUpdates() {
        let info = VolumeTierInfo(
            tierUpdateTime: 1_743_451_903, pricingCategory: "UTILITY", tier: "25000001:50000000",
            effectiveMonth: "2025-11", region: "India")
        let event = AccountUpdateEvent(
            account: "W", event: "VOLUME_BASED_PRICING_TIER_UPDATE", time: 1, volumeTier: info)
        #expect(
            TierUpdate.of(event)
                == TierUpdate(
                    account: "W", effectiveMonth: "2025-11", region: "India", pricingCategory: "utility",
                    tier: "25000001:50000000", updatedAt: 1_743_451_903))
        var other = event
        other.event = "ACCOUNT_UPDATE"
        #expect(TierUpdate.of(other) == nil)
    }
}
