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

/// Effective-dated rates, looked up by the charged unit's delivery day in the account's time zone.
public struct RateCard: Sendable {
    private struct Key: Hashable {
        var currency: String
        var market: String
        var category: String
    }

    /// Per key, entries sorted by effective day.
    private let entries: [Key: [(from: DayKey, rate: Decimal)]]

    public init(_ rates: [RateEntry]) {
        var entries: [Key: [(from: DayKey, rate: Decimal)]] = [:]
        for rate in rates {
            entries[Key(currency: rate.currency, market: rate.market, category: rate.category), default: []]
                .append((rate.effectiveFrom, rate.rate))
        }
        self.entries = entries.mapValues { $0.sorted { $0.from < $1.from } }
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// The rate for a charged unit, or `nil` when the card has none (reported as unrated).
    ///
    /// Categories that Meta bills at another category's rate are mapped first: Marketing Messages API
    /// and group messages at their base category's rate (reference §7.7–7.8); service at the card's
    /// service rate, or from 2026-10-01 at the utility rate when the card has no service column (C13).
    public func rate(currency: String, market: String, category: String, on day: DayKey) -> Decimal? {
        let base = Self.rateCategory(category)
        if let rate = lookup(currency, market, base, day) { return rate }
        if base == PricingCategory.service && day >= 2026_10_01 {
            return lookup(currency, market, PricingCategory.utility, day)
        }
        return nil
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
