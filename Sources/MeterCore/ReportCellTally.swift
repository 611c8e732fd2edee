import Foundation

/// The report's cells (kind × local day × category × market × country × business phone number) as
/// `ReportBuilder` counts and prices them; the report's totals and breakdowns are sums of these
/// cells, and so are the insights' figures for any part of the month. The CSV's lines and the
/// unrated list are the cells summed over days and phone numbers.
struct ReportCellTally {
    struct Key: Hashable {
        let kind: String
        let day: DayKey
        let category: String
        let market: String
        let country: String
        let phone: String
        /// The fields' hash, computed once: pricing a month looks each key up several times, and
        /// hashing its five strings at every lookup was a third of a month's pricing (perf, report
        /// of a 3.3-million-message month).
        private let fieldsHash: Int

        init(kind: String, day: DayKey, category: String, market: String, country: String, phone: String) {
            self.kind = kind
            self.day = day
            self.category = category
            self.market = market
            self.country = country
            self.phone = phone
            var hasher = Hasher()
            hasher.combine(kind)
            hasher.combine(day)
            hasher.combine(category)
            hasher.combine(market)
            hasher.combine(country)
            hasher.combine(phone)
            fieldsHash = hasher.finalize()
        }

        /// The key of the report line the cell is part of.
        var line: Key { Key(kind: kind, day: 0, category: category, market: market, country: country, phone: "") }

        /// The same cell on another day (0: the month).
        func on(day: DayKey) -> Key {
            Key(kind: kind, day: day, category: category, market: market, country: country, phone: phone)
        }

        static func == (lhs: Key, rhs: Key) -> Bool {
            lhs.fieldsHash == rhs.fieldsHash && lhs.day == rhs.day && lhs.kind == rhs.kind
                && lhs.category == rhs.category && lhs.market == rhs.market && lhs.country == rhs.country
                && lhs.phone == rhs.phone
        }

        func hash(into hasher: inout Hasher) { hasher.combine(fieldsHash) }
    }

    struct Cell {
        var delivered = 0
        var charged = 0
        var cost = Decimal(0)
        /// Charged units with no rate (not in `cost`).
        var unrated = 0
        /// Conversations the month's free tier covered (delivered, not charged).
        var freeTier = 0

        mutating func add(_ other: Cell) {
            delivered += other.delivered
            charged += other.charged
            // Decimal addition is slow; most cells cost nothing.
            if !other.cost.isZero { cost += other.cost }
            unrated += other.unrated
            freeTier += other.freeTier
        }
    }

    let currency: String
    let rates: RateCard
    let markets: MarketTable
    private(set) var cells: [Key: Cell] = [:]
    /// For charged messages in volume-tier pools, the cell's units by the tier they were priced at
    /// (the insights' `tier`); summing over days drops them, the report does not use them.
    private(set) var tiers: [Key: [VolumeTierPricing.TierShare]] = [:]
    /// Whether `tiers` is kept: not for a report, which never reads it (a dictionary of arrays per
    /// tier-priced cell was 1–2% of a served report).
    let keepsTierShares: Bool

    init(currency: String, rates: RateCard, markets: MarketTable, keepsTierShares: Bool = true) {
        self.currency = currency
        self.rates = rates
        self.markets = markets
        self.keepsTierShares = keepsTierShares
    }

    func line(_ kind: String, _ key: RollupKey) -> Key {
        Key(
            kind: kind, day: key.day, category: key.category,
            market: markets.market(country: key.country, on: key.day), country: key.country, phone: key.phone)
    }

    /// Room for `count` cells before the table grows (each growth hashes every cell again).
    mutating func reserve(_ count: Int) { cells.reserveCapacity(count) }

    /// Changes a cell (adding it when new) with one lookup.
    private mutating func update(_ key: Key, _ change: (inout Cell) -> Void) {
        change(&cells[key, default: Cell()])
    }

    mutating func deliver(_ key: Key, _ count: Int) {
        update(key) { $0.delivered += count }
    }

    /// Counts charged units, adding `amount` to the cost when their price is known here.
    mutating func charge(_ key: Key, _ count: Int, amount: Decimal = 0) {
        update(key) { cell in
            cell.charged += count
            if !amount.isZero { cell.cost += amount }
        }
    }

    /// Counts conversations the free tier covers.
    mutating func coverByFreeTier(_ key: Key, _ count: Int) {
        update(key) { $0.freeTier += count }
    }

    /// Adds the cost of units already counted by tier, and how many of them had no rate.
    mutating func price(_ key: Key, _ priced: VolumeTierPricing.Priced) {
        price(key, cost: priced.cost, unrated: priced.unrated)
        if keepsTierShares { tiers[key, default: []] += priced.tiers }
    }

    /// Adds the cost of units already counted, and how many of them had no rate.
    mutating func price(_ key: Key, cost: Decimal, unrated count: Int) {
        update(key) { cell in
            if !cost.isZero { cell.cost += cost }
            cell.unrated += count
        }
    }

    /// Counts charged units and prices them at the card's rate for their day.
    mutating func chargeAtCardRate(_ key: Key, _ cell: RollupKey, _ count: Int) {
        if let rate = rates.rate(currency: currency, market: key.market, category: cell.category, on: cell.day) {
            charge(key, count, amount: rate * Decimal(count))
        } else {
            update(key) { cell in
                cell.charged += count
                cell.unrated += count
            }
        }
    }

    /// The cells summed over days (the month's cells, per phone number).
    func summedOverDays() -> ReportCellTally {
        var month = ReportCellTally(currency: currency, rates: rates, markets: markets, keepsTierShares: false)
        month.cells.reserveCapacity(cells.count / 8)
        for (key, cell) in cells { month.cells[key.on(day: 0), default: Cell()].add(cell) }
        return month
    }

    /// The cells summed over days and phone numbers: the report's lines.
    private var lineCells: [Key: Cell] {
        var lines: [Key: Cell] = [:]
        for (key, cell) in cells { lines[key.line, default: Cell()].add(cell) }
        return lines
    }

    var sortedLines: [Report.Line] {
        lineCells.map { key, cell in
            Report.Line(
                kind: key.kind, category: key.category, market: key.market, country: key.country,
                delivered: cell.delivered, charged: cell.charged, cost: cell.cost, unrated: cell.unrated)
        }.sorted { ($0.kind, $0.category, $0.market, $0.country) < ($1.kind, $1.category, $1.market, $1.country) }
    }

    var total: Decimal { cells.values.reduce(Decimal(0)) { $0 + $1.cost } }

    func byCategory(_ kind: String) -> [String: Report.CategoryLine] {
        var sums: [String: Report.CategoryLine] = [:]
        for (key, cell) in cells where key.kind == kind {
            var sum = sums[key.category] ?? Report.CategoryLine(delivered: 0, charged: 0, cost: 0)
            sum.delivered += cell.delivered
            sum.charged += cell.charged
            sum.cost += cell.cost
            sum.unrated += cell.unrated
            sums[key.category] = sum
        }
        return sums
    }

    /// Charged units and their cost grouped by `field` of the cells that have any.
    func charged(by field: (Key) -> String) -> [String: Report.ChargedLine] {
        var sums: [String: Report.ChargedLine] = [:]
        for (key, cell) in cells where cell.charged > 0 {
            var sum = sums[field(key)] ?? Report.ChargedLine(charged: 0, cost: 0)
            sum.charged += cell.charged
            sum.cost += cell.cost
            sum.unrated += cell.unrated
            sums[field(key)] = sum
        }
        return sums
    }

    /// The lines' unrated units, in line order.
    static func unratedSummary(of lines: [Report.Line]) -> Report.Unrated {
        let units = lines.filter { $0.unrated > 0 }.map {
            Report.Unrated.Unit(
                kind: $0.kind, category: $0.category, market: $0.market, country: $0.country, count: $0.unrated)
        }
        return Report.Unrated(count: units.reduce(0) { $0 + $1.count }, units: units)
    }
}
