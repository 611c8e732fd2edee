import Foundation
import WhatsAppWebhook

/// One rate from a rate card: the price of one charged unit of a category in a market, in a
/// currency, in force from a local day until the next entry for the same key.
public struct RateEntry: Sendable, Equatable {
    public var effectiveFrom: DayKey
    public var currency: String
    public var market: String
    public var category: String
    public var rate: Decimal

    public init(effectiveFrom: DayKey, currency: String, market: String, category: String, rate: Decimal) {
        self.effectiveFrom = effectiveFrom
        self.currency = currency
        self.market = market
        self.category = PricingCategory.normalize(category)
        self.rate = rate
    }
}

/// One volume tier of a published tier table: the rate of the `volumeFrom`-th to the `volumeTo`-th
/// charged message of the month (inclusive; `nil` = no upper bound). The tiers with the same
/// effective day, currency, market and category form one table, which replaces the previous table
/// for that key as a whole.
public struct TierEntry: Sendable, Equatable {
    public var effectiveFrom: DayKey
    public var currency: String
    public var market: String
    public var category: String
    public var volumeFrom: Int
    public var volumeTo: Int?
    public var rate: Decimal

    public init(
        effectiveFrom: DayKey, currency: String, market: String, category: String, volumeFrom: Int, volumeTo: Int?,
        rate: Decimal
    ) {
        self.effectiveFrom = effectiveFrom
        self.currency = currency
        self.market = market
        self.category = PricingCategory.normalize(category)
        self.volumeFrom = volumeFrom
        self.volumeTo = volumeTo
        self.rate = rate
    }

    /// Meta's notation, as in tier webhooks and `pricing_analytics` (`"100001:500000"`, `"80000001:MAX"`).
    public var label: String { "\(volumeFrom):\(volumeTo.map(String.init) ?? "MAX")" }
}

/// Effective-dated rates and volume-tier tables, looked up by the charged unit's delivery day in the
/// account's time zone.
public struct RateCard: Sendable {
    private struct Key: Hashable {
        var currency: String
        var market: String
        var category: String
    }

    /// Per key, entries sorted by effective day.
    private let entries: [Key: [(from: DayKey, rate: Decimal)]]
    /// Per key, tier tables sorted by effective day; each table sorted by `volumeFrom`.
    private let tierTables: [Key: [(from: DayKey, tiers: [TierEntry])]]

    public init(_ rates: [RateEntry], tiers: [TierEntry] = []) {
        var entries: [Key: [(from: DayKey, rate: Decimal)]] = [:]
        for rate in rates {
            entries[Key(currency: rate.currency, market: rate.market, category: rate.category), default: []]
                .append((rate.effectiveFrom, rate.rate))
        }
        self.entries = entries.mapValues { $0.sorted { $0.from < $1.from } }
        var tables: [Key: [DayKey: [TierEntry]]] = [:]
        for tier in tiers {
            tables[Key(currency: tier.currency, market: tier.market, category: tier.category), default: [:]][
                tier.effectiveFrom, default: []
            ].append(tier)
        }
        self.tierTables = tables.mapValues { byDay in
            byDay.map { (from: $0.key, tiers: $0.value.sorted { $0.volumeFrom < $1.volumeFrom }) }
                .sorted { $0.from < $1.from }
        }
    }

    public var isEmpty: Bool { entries.isEmpty && tierTables.isEmpty }

    /// The list rate for a charged unit, or `nil` when the card has none (reported as unrated).
    ///
    /// Categories that Meta bills at another category's rate are mapped first: Marketing Messages API
    /// and group messages at their base category's rate (reference §7.7–7.8); service at the card's
    /// service rate, or from 2026-10-01 at the utility rate when the card has no service column (C13).
    public func rate(currency: String, market: String, category: String, on day: DayKey) -> Decimal? {
        let base = Self.rateCategory(category)
        if let rate = lookup(currency, market, base, day) { return rate }
        if base == PricingCategory.service && day >= PricingEra.serviceFreeTier.day {
            return lookup(currency, market, PricingCategory.utility, day)
        }
        return nil
    }

    /// The rate of the `position`-th charged unit of its volume-tier pool in the month: the rate of
    /// the tier containing `position` when a tier table is in force, else the list rate.
    public func rate(currency: String, market: String, category: String, on day: DayKey, position: Int) -> Decimal? {
        guard let table = tierTable(currency: currency, market: market, category: category, on: day) else {
            return rate(currency: currency, market: market, category: category, on: day)
        }
        return Self.tier(containing: position, in: table)?.rate
    }

    /// The tier table in force for a key on a day, if the card has one.
    public func tierTable(currency: String, market: String, category: String, on day: DayKey) -> [TierEntry]? {
        guard let tables = tierTables[Key(currency: currency, market: market, category: category)] else {
            return nil
        }
        var found: [TierEntry]?
        for table in tables {
            if table.from > day { break }
            found = table.tiers
        }
        return found
    }

    /// The tier of a table that holds the `position`-th unit (1-based; a first tier written from 0
    /// starts at 1). `nil` only if the table leaves a gap, which the importer rejects.
    public static func tier(containing position: Int, in table: [TierEntry]) -> TierEntry? {
        var found: TierEntry?
        for tier in table where max(tier.volumeFrom, 1) <= position {
            found = tier
        }
        guard let found, found.volumeTo.map({ position <= $0 }) ?? true else { return nil }
        return found
    }

    /// Of each currency × market × category, the entry in force on a day (for listing a card).
    public static func inForce(_ rates: [RateEntry], on day: DayKey) -> [RateEntry] {
        var latest: [Key: RateEntry] = [:]
        for rate in rates where rate.effectiveFrom <= day {
            let key = Key(currency: rate.currency, market: rate.market, category: rate.category)
            if latest[key].map({ $0.effectiveFrom < rate.effectiveFrom }) ?? true { latest[key] = rate }
        }
        return latest.values.sorted { ($0.currency, $0.market, $0.category) < ($1.currency, $1.market, $1.category) }
    }

    /// Of each currency × market × category, the tier table in force on a day.
    public static func inForce(_ tiers: [TierEntry], on day: DayKey) -> [TierEntry] {
        var latest: [Key: DayKey] = [:]
        for tier in tiers where tier.effectiveFrom <= day {
            let key = Key(currency: tier.currency, market: tier.market, category: tier.category)
            latest[key] = max(latest[key] ?? tier.effectiveFrom, tier.effectiveFrom)
        }
        return tiers.filter {
            latest[Key(currency: $0.currency, market: $0.market, category: $0.category)] == $0.effectiveFrom
        }.sorted {
            ($0.currency, $0.market, $0.category, $0.volumeFrom) < ($1.currency, $1.market, $1.category, $1.volumeFrom)
        }
    }

    private func lookup(_ currency: String, _ market: String, _ category: String, _ day: DayKey) -> Decimal? {
        guard let list = entries[Key(currency: currency, market: market, category: category)] else { return nil }
        var found: Decimal?
        for entry in list {
            if entry.from > day { break }
            found = entry.rate
        }
        return found
    }

    static func rateCategory(_ category: String) -> String {
        switch category {
        case PricingCategory.marketingLite, "group_marketing", "group_marketing_lite": PricingCategory.marketing
        case "group_utility": PricingCategory.utility
        case "group_service": PricingCategory.service
        default: category
        }
    }
}
