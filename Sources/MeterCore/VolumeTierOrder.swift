/// The delivery order of a volume-tier pool that passes a tier boundary, read as little as possible.
///
/// Marginal pricing needs each charged message's place in its pool's month, but only where the
/// place decides something. Between two places at which some table in force for the pool that
/// month changes tier, every unit gets the same tier of its own table whatever the order among them
/// (its rate still looked up on its own day). So the order is taken from the half-hour counters
/// (charged messages per account, day, category, country, phone number and UTC half-hour): the
/// half-hours between two changes form a stretch whose units are summed by cell, and the stored
/// messages are read, in delivery order, only for the few half-hours inside which a change falls.
/// The prices are those of every message read in order (a test compares the two on random months).
public enum VolumeTierOrder {
    /// A charged, tier-counted half-hour counter of one account of the portfolio.
    public struct Counter: Sendable, Equatable {
        public var account: String
        public var row: RollupRow

        public init(account: String, row: RollupRow) {
            self.account = account
            self.row = row
        }
    }

    /// Where each pool's order matters: its half-hours in time order, those to read in order
    /// (`boundaries`), and the stretches between them in which every place is in one tier of every
    /// table (whose units are priced together, whatever their half-hour).
    public struct Plan: Sendable {
        /// For each pool, the UTC half-hours (their starts) in which its month's count passes the
        /// first place of a tier, or the last place of one, of a table in force for the pool in the
        /// month: those whose messages must be read in order.
        public var boundaries: [TierPoolKey: Set<Int64>] = [:]
        fileprivate var counters: [Counter] = []
        /// For each pool, its counters (indices into `counters`) in half-hour order, each with its
        /// stretch number (a half-hour with a boundary is a stretch of its own).
        fileprivate var order: [TierPoolKey: [(index: Int, stretch: Int)]] = [:]

        /// Every half-hour to read, sorted.
        public var halfHoursToRead: [Int64] {
            boundaries.values.reduce(into: Set<Int64>()) { $0.formUnion($1) }.sorted()
        }
    }

    /// The plan of `pools` from their charged half-hour counters.
    public static func plan(
        _ counters: [Counter], pools: Set<TierPoolKey>, currency: String, card: RateCard,
        markets: MarketTable = .standard
    ) -> Plan {
        var plan = Plan()
        plan.counters = counters
        // Indices, not copies: a portfolio month is 100,000s of counters.
        var byPool: [TierPoolKey: [Int]] = [:]
        for (index, counter) in counters.enumerated()
        where counter.row.key.metric == .messageCharged && counter.row.count != 0 {
            guard let pool = VolumeTierPricing.pool(of: counter.row.key, markets: markets), pools.contains(pool)
            else { continue }
            byPool[pool, default: []].append(index)
        }
        for (pool, indices) in byPool {
            // The places at which any table in force for the pool in the month starts a tier or
            // ends its last. All of them, for every half-hour: units are regrouped across the
            // half-hours of a stretch, so a stretch must not hold a change of any table.
            struct Table: Hashable {
                var category: String
                var day: DayKey
            }
            var tables: Set<Table> = []
            var places: Set<Int> = []
            for index in indices {
                let key = counters[index].row.key
                guard tables.insert(Table(category: key.category, day: key.day)).inserted else { continue }
                for tier in card.tierTable(currency: currency, market: pool.market, category: key.category, on: key.day)
                    ?? []
                {
                    places.insert(max(tier.volumeFrom, 1))
                    if let last = tier.volumeTo { places.insert(last + 1) }
                }
            }
            let sorted = indices.sorted { counters[$0].row.key.halfHour < counters[$1].row.key.halfHour }
            var ordered: [(index: Int, stretch: Int)] = []
            ordered.reserveCapacity(sorted.count)
            var before = 0
            var stretch = 0
            var start = sorted.startIndex
            while start < sorted.endIndex {
                let halfHour = counters[sorted[start]].row.key.halfHour
                var end = start
                var count = 0
                while end < sorted.endIndex, counters[sorted[end]].row.key.halfHour == halfHour {
                    count += counters[sorted[end]].row.count
                    end += 1
                }
                // Places before + 1 … before + count: a change at a later place than the first splits
                // them (the half-hour is read in order); a change at the first starts a new stretch.
                let splits = places.contains { $0 > before + 1 && $0 <= before + count }
                if splits || places.contains(before + 1) { stretch += 1 }
                if splits { plan.boundaries[pool, default: []].insert(halfHour) }
                for position in start..<end { ordered.append((sorted[position], stretch)) }
                if splits { stretch += 1 }
                before += count
                start = end
            }
            plan.order[pool] = ordered
        }
        return plan
    }

    /// Each of `pools`' units as runs in delivery order: the counters of each stretch without a
    /// boundary summed by cell, and `units` (the messages read for the half-hours to read) in the
    /// others.
    public static func runs(
        of pools: Set<TierPoolKey>, plan: Plan, units: [TierUnit], markets: MarketTable = .standard
    ) -> [TierPoolKey: [VolumeTierPricing.Run]] {
        var readUnits: [TierPoolKey: [Int64: [TierUnit]]] = [:]
        for unit in units {
            let key = RollupKey(
                day: unit.day, metric: .messageCharged, category: unit.category, country: unit.country,
                phone: unit.phone)
            let halfHour = RollupKey.halfHour(of: unit.deliveredAt)
            guard let pool = VolumeTierPricing.pool(of: key, markets: markets),
                plan.boundaries[pool]?.contains(halfHour) == true
            else { continue }
            readUnits[pool, default: [:]][halfHour, default: []].append(unit)
        }
        struct CellKey: Hashable, Comparable {
            var account: String
            var day: DayKey
            var category: String
            var country: String
            var phone: String

            static func < (lhs: CellKey, rhs: CellKey) -> Bool {
                (lhs.account, lhs.day, lhs.category, lhs.country, lhs.phone)
                    < (rhs.account, rhs.day, rhs.category, rhs.country, rhs.phone)
            }
        }
        var runs: [TierPoolKey: [VolumeTierPricing.Run]] = [:]
        for pool in pools {
            var poolRuns: [VolumeTierPricing.Run] = []
            // A stretch's units are all in one tier of each table: any fixed order prices them alike.
            var cells: [CellKey: Int] = [:]
            func flush() {
                for (cell, count) in cells.sorted(by: { $0.key < $1.key }) {
                    poolRuns.append(
                        VolumeTierPricing.Run(
                            account: cell.account, day: cell.day, category: cell.category, country: cell.country,
                            phone: cell.phone, count: count))
                }
                cells.removeAll(keepingCapacity: true)
            }
            var current: Int?
            var reading = false
            let boundaries = plan.boundaries[pool] ?? []
            for (index, stretch) in plan.order[pool] ?? [] {
                let counter = plan.counters[index]
                if stretch != current {
                    flush()
                    current = stretch
                    // A half-hour with a boundary: its messages as read, in delivery order.
                    reading = boundaries.contains(counter.row.key.halfHour)
                    if reading {
                        poolRuns += VolumeTierPricing.runs(of: readUnits[pool]?[counter.row.key.halfHour] ?? [])
                    }
                }
                if reading { continue }
                let key = counter.row.key
                cells[
                    CellKey(
                        account: counter.account, day: key.day, category: key.category, country: key.country,
                        phone: key.phone), default: 0] += counter.row.count
            }
            flush()
            runs[pool] = poolRuns
        }
        return runs
    }
}
