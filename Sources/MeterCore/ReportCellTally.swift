import Foundation

/// The report's cells (kind × category × market × country) as `ReportBuilder` counts and prices
/// them; the report's totals and breakdowns are sums of these cells.
struct ReportCellTally {
    struct Key: Hashable {
        var kind: String
        var category: String
        var market: String
        var country: String
    }

    let currency: String
    let rates: RateCard
    let markets: MarketTable
    private var lines: [Key: Report.Line] = [:]
    private var unrated: [Key: Int] = [:]

    init(currency: String, rates: RateCard, markets: MarketTable) {
        self.currency = currency
        self.rates = rates
        self.markets = markets
    }

    func line(_ kind: String, _ key: RollupKey) -> Key {
        Key(
            kind: kind, category: key.category, market: markets.market(country: key.country, on: key.day),
            country: key.country)
    }

    private mutating func touch(_ key: Key) {
        if lines[key] == nil {
            lines[key] = Report.Line(
                kind: key.kind, category: key.category, market: key.market, country: key.country, delivered: 0,
                charged: 0, cost: 0)
        }
    }

    mutating func deliver(_ key: Key, _ count: Int) {
        touch(key)
        lines[key]!.delivered += count
    }

    /// Counts charged units, adding `amount` to the cost when their price is known here.
    mutating func charge(_ key: Key, _ count: Int, amount: Decimal = 0) {
        touch(key)
        lines[key]!.charged += count
        lines[key]!.cost += amount
    }

    /// Adds the cost of units already counted, and how many of them had no rate.
    mutating func price(_ key: Key, cost: Decimal, unrated count: Int) {
        touch(key)
        lines[key]!.cost += cost
        if count > 0 { unrated[key, default: 0] += count }
    }

    /// Counts charged units and prices them at the card's rate for their day.
    mutating func chargeAtCardRate(_ key: Key, _ cell: RollupKey, _ count: Int) {
        if let rate = rates.rate(currency: currency, market: key.market, category: cell.category, on: cell.day) {
            charge(key, count, amount: rate * Decimal(count))
        } else {
            charge(key, count)
            unrated[key, default: 0] += count
        }
    }

    var sortedLines: [Report.Line] {
        var lines = lines
        for (key, count) in unrated { lines[key]?.unrated = count }
        return lines.values.sorted {
            ($0.kind, $0.category, $0.market, $0.country) < ($1.kind, $1.category, $1.market, $1.country)
        }
    }

    var total: Decimal { lines.values.reduce(Decimal(0)) { $0 + $1.cost } }

    func byCategory(_ kind: String) -> [String: Report.CategoryLine] {
        var sums: [String: (delivered: Int, charged: Int, cost: Decimal)] = [:]
        for line in lines.values where line.kind == kind {
            var sum = sums[line.category] ?? (0, 0, 0)
            sum.delivered += line.delivered
            sum.charged += line.charged
            sum.cost += line.cost
            sums[line.category] = sum
        }
        return sums.mapValues {
            Report.CategoryLine(delivered: $0.delivered, charged: $0.charged, cost: $0.cost)
        }
    }

    func charged(by field: (Report.Line) -> String) -> [String: Report.ChargedLine] {
        var sums: [String: (charged: Int, cost: Decimal)] = [:]
        for line in lines.values where line.charged > 0 {
            var sum = sums[field(line)] ?? (0, 0)
            sum.charged += line.charged
            sum.cost += line.cost
            sums[field(line)] = sum
        }
        return sums.mapValues { Report.ChargedLine(charged: $0.charged, cost: $0.cost) }
    }

    func unratedSummary() -> Report.Unrated {
        let units = unrated.map {
            Report.Unrated.Unit(
                kind: $0.key.kind, category: $0.key.category, market: $0.key.market, country: $0.key.country,
                count: $0.value)
        }.sorted { ($0.kind, $0.category, $0.market, $0.country) < ($1.kind, $1.category, $1.market, $1.country) }
        return Report.Unrated(count: units.reduce(0) { $0 + $1.count }, units: units)
    }
}
