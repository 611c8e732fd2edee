import Foundation
import Testing

@testable import MeterCore

/// Pricing a pool that passes tier boundaries from the half-hour counters, reading messages only
/// for the half-hours that hold a boundary (`VolumeTierOrder`), gives exactly what reading every
/// message in delivery order gives: same cost, unrated count and tier shares for every cell.
@Suite("Volume-tier order from half-hour counters")
struct VolumeTierOrderTests {
    static func d(_ text: String) -> Decimal { Decimal(string: text)! }

    static func tier(_ from: DayKey, _ category: String, _ low: Int, _ high: Int?, _ rate: String) -> TierEntry {
        TierEntry(
            effectiveFrom: from, currency: "USD", market: "India", category: category, volumeFrom: low,
            volumeTo: high, rate: d(rate))
    }

    /// India utility and authentication tables with small tiers, and a new utility table from the
    /// 15th with other boundaries; Brazil has a flat rate only, Indonesia no rate at all.
    static let card = RateCard(
        [
            RateEntry(
                effectiveFrom: 2026_01_01, currency: "USD", market: "India", category: "utility", rate: d("0.0014")),
            RateEntry(
                effectiveFrom: 2026_01_01, currency: "USD", market: "India", category: "authentication",
                rate: d("0.0013")),
            RateEntry(
                effectiveFrom: 2026_01_01, currency: "USD", market: "India", category: "authentication_international",
                rate: d("0.0280")),
            RateEntry(
                effectiveFrom: 2026_01_01, currency: "USD", market: "Brazil", category: "utility", rate: d("0.0068")),
        ],
        tiers: [
            tier(2026_01_01, "utility", 0, 40, "0.0014"), tier(2026_01_01, "utility", 41, 90, "0.0010"),
            tier(2026_01_01, "utility", 91, nil, "0.0005"),
            tier(2026_02_15, "utility", 0, 150, "0.0013"), tier(2026_02_15, "utility", 151, 400, "0.0009"),
            tier(2026_02_15, "utility", 401, nil, "0.0004"),
            tier(2026_01_01, "authentication", 0, 60, "0.0013"), tier(2026_01_01, "authentication", 61, nil, "0.0011"),
            tier(2026_01_01, "authentication_international", 0, 60, "0.0280"),
            tier(2026_01_01, "authentication_international", 61, 120, "0.0250"),
        ])

    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
    }

    /// Messages of three accounts in three time zones (one 45 minutes off the hour), in bursts so
    /// that half-hours hold many of them.
    static func units(seed: UInt64) -> [TierUnit] {
        var random = Generator(state: seed)
        let accounts = [("A", "UTC"), ("B", "Asia/Kathmandu"), ("C", "America/New_York")]
        let categories = ["utility", "utility", "authentication", "authentication_international"]
        let countries = ["IN", "IN", "IN", "BR", "ID"]
        var units: [TierUnit] = []
        let start: Int64 = 1_769_904_000  // 2026-02-01T00:00Z
        for burst in 0..<60 {
            let at = start + Int64.random(in: 0..<(27 * 86_400), using: &random)
            for index in 0..<Int.random(in: 1...40, using: &random) {
                let (account, zone) = accounts.randomElement(using: &random)!
                let delivered = at + Int64.random(in: 0..<3_600, using: &random)
                units.append(
                    TierUnit(
                        account: account, messageId: "m\(burst)-\(index)", deliveredAt: delivered,
                        day: BillingCalendar(timezoneIdentifier: zone)!.day(of: delivered),
                        category: categories.randomElement(using: &random)!,
                        country: countries.randomElement(using: &random)!,
                        phone: ["p1", "p2"].randomElement(using: &random)!))
            }
        }
        return units
    }

    static func pool(_ unit: TierUnit) -> TierPoolKey? {
        VolumeTierPricing.pool(
            of: RollupKey(
                day: unit.day, metric: .messageCharged, category: unit.category, country: unit.country,
                phone: unit.phone),
            markets: .standard)
    }

    /// Each cell's priced figures: cost, unrated count, and count and cost by tier.
    static func priced(_ runsByPool: [TierPoolKey: [VolumeTierPricing.Run]]) -> [String: String] {
        var cells: [String: (cost: Decimal, unrated: Int, tiers: [String: (Int, Decimal)])] = [:]
        for (pool, runs) in runsByPool {
            let priced = VolumeTierPricing.price(runs, market: pool.market, currency: "USD", card: card)
            for (run, result) in zip(runs, priced) {
                let key = "\(run.account) \(run.day) \(run.category) \(run.country) \(run.phone)"
                var cell = cells[key] ?? (0, 0, [:])
                cell.cost += result.cost
                cell.unrated += result.unrated
                for share in result.tiers {
                    let sum = cell.tiers[share.tier] ?? (0, 0)
                    cell.tiers[share.tier] = (sum.0 + share.count, sum.1 + share.cost)
                }
                cells[key] = cell
            }
        }
        return cells.mapValues { cell in
            "\(cell.cost) \(cell.unrated) "
                + cell.tiers.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.0)/\($0.value.1)" }.joined(
                    separator: ",")
        }
    }

    @Test("the same prices as every message in delivery order", arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func sameAsEveryMessage(seed: UInt64) {
        let units = Self.units(seed: seed)
        let pools = Set(units.compactMap(Self.pool))
        // Every message in order: the way the report priced crossing pools before.
        var everyMessage: [TierPoolKey: [VolumeTierPricing.Run]] = [:]
        for pool in pools { everyMessage[pool] = VolumeTierPricing.runs(of: units.filter { Self.pool($0) == pool }) }

        // The counters the ledger keeps: charged messages per account, day, cell and UTC half-hour.
        var counts: [String: (account: String, key: RollupKey, count: Int)] = [:]
        for unit in units {
            let key = RollupKey(
                day: unit.day, metric: .messageCharged, category: unit.category, country: unit.country,
                phone: unit.phone, halfHour: RollupKey.halfHour(of: unit.deliveredAt))
            let id = "\(unit.account) \(key)"
            counts[id, default: (unit.account, key, 0)].count += 1
        }
        let counters = counts.values.map {
            VolumeTierOrder.Counter(account: $0.account, row: RollupRow(key: $0.key, count: $0.count))
        }
        let plan = VolumeTierOrder.plan(counters.shuffled(), pools: pools, currency: "USD", card: Self.card)
        let read = Set(plan.halfHoursToRead)
        // What the store reads: every tier-counted message of those half-hours, any pool.
        let readUnits = units.filter { read.contains(RollupKey.halfHour(of: $0.deliveredAt)) }
        let ordered = VolumeTierOrder.runs(of: pools, plan: plan, units: readUnits.shuffled())

        #expect(Self.priced(ordered) == Self.priced(everyMessage))
        // The point of it: some half-hours are read, most are not.
        #expect(!readUnits.isEmpty)
        #expect(readUnits.count < units.count / 2)
    }

    @Test("a half-hour is read only when a change of tier falls inside it, not on its edge")
    func boundaryPlaces() {
        // 40 units in the first half-hour end the first tier exactly; 10 then 5 follow.
        func counter(_ halfHour: Int64, _ count: Int) -> VolumeTierOrder.Counter {
            VolumeTierOrder.Counter(
                account: "A",
                row: RollupRow(
                    key: RollupKey(
                        day: 2026_02_03, metric: .messageCharged, category: "utility", country: "IN", halfHour: halfHour
                    ),
                    count: count))
        }
        let pool = TierPoolKey(market: "India", category: "utility")
        let edge = VolumeTierOrder.plan(
            [counter(0, 40), counter(1_800, 10), counter(3_600, 45)], pools: [pool], currency: "USD", card: Self.card
        ).boundaries
        // Places 1–40, 41–50 (tier 2 from 41: on the edge), 51–95 (tier 3 from 91: inside).
        #expect(edge == [pool: [3_600]])
        let inside = VolumeTierOrder.plan([counter(0, 41)], pools: [pool], currency: "USD", card: Self.card)
            .boundaries
        #expect(inside == [pool: [0]])
    }
}
