import Foundation
import WhatsAppWebhook

/// One rate from a rate card: the price of one charged unit of a category in a market, in a
/// currency, in force from a local day as part of its card (`RateCardEdition`).
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

/// The rates in force on every day, per currency: a history of whole cards and patches
/// (`RateCardEdition`), looked up by the charged unit's delivery day in the account's time zone.
///
/// Built once per report: each card's day starts a stretch of days over which the same rates are
/// in force (the latest whole card of the pricing model of that day, with the patches since), so a
/// lookup is a short scan of stretches and one dictionary read.
public struct RateCard: Sendable {
    private struct Key: Hashable {
        var market: String
        var category: String
    }

    /// A rate and the day of the card that set it.
    private struct Listed {
        var rate: Decimal
        var from: DayKey
    }

    /// Days from `from` until the next stretch's first day, priced by `editions`.
    private struct Stretch {
        var from: DayKey
        var rates: [Key: Listed]
        var tiers: [Key: [TierEntry]]
        var editions: [RateCardEdition.Summary]
    }

    /// One history of cards: a currency's messaging cards, or its calling cards.
    private struct History: Hashable {
        var currency: String
        var product: RateCardEdition.Product
    }

    /// Per history, stretches sorted by first day.
    private let stretches: [History: [Stretch]]

    public init(editions: [RateCardEdition]) {
        var stretches: [History: [Stretch]] = [:]
        let histories = Dictionary(grouping: editions) { History(currency: $0.currency, product: $0.product) }
        for (history, cards) in histories {
            let cards = cards.sorted { $0.effectiveFrom < $1.effectiveFrom }
            var starts = Set(cards.map(\.effectiveFrom))
            // A conversation card ends when per-message pricing starts, whether or not a card follows.
            if cards.contains(where: \.pricesConversations) { starts.insert(PricingEra.perMessagePricing.day) }
            stretches[history] = starts.sorted().map { day in
                let conversations = day < PricingEra.perMessagePricing.day
                let inForce = cards.filter { $0.effectiveFrom <= day && $0.pricesConversations == conversations }
                let base = inForce.lastIndex { $0.kind == .whole } ?? inForce.startIndex
                var rates: [Key: Listed] = [:]
                var tiers: [Key: [TierEntry]] = [:]
                for card in inForce[base...] {
                    for rate in card.rates {
                        rates[Key(market: rate.market, category: rate.category)] = Listed(
                            rate: rate.rate, from: card.effectiveFrom)
                    }
                    for (key, table) in Dictionary(
                        grouping: card.tiers, by: { Key(market: $0.market, category: $0.category) })
                    {
                        tiers[key] = table.sorted { $0.volumeFrom < $1.volumeFrom }
                    }
                }
                return Stretch(from: day, rates: rates, tiers: tiers, editions: inForce[base...].map(\.summary))
            }
        }
        self.stretches = stretches
    }

    /// A card from loose rows (tests, one-off cards): the rows of each currency and effective day are
    /// one imported card, whole when it has rates, a patch when it only has tier tables.
    public init(_ rates: [RateEntry], tiers: [TierEntry] = []) {
        self.init(editions: RateCardHistory.importedEditions(rates: rates, tiers: tiers, cards: []))
    }

    public var isEmpty: Bool { stretches.isEmpty }

    /// The list rate for a charged unit, or `nil` when the card in force has none (reported as
    /// unrated).
    ///
    /// Categories that Meta bills at another category's rate are mapped first: Marketing Messages API
    /// and group messages at their base category's rate (reference §7.7–7.8); service at the card's
    /// service rate, or from 2026-10-01 at the utility rate when the card has no service column (C13).
    public func rate(currency: String, market: String, category: String, on day: DayKey) -> Decimal? {
        guard let stretch = stretch(currency, category, day) else { return nil }
        let base = Self.rateCategory(category)
        if let listed = stretch.rates[Key(market: market, category: base)] { return listed.rate }
        if base == PricingCategory.service && day >= PricingEra.serviceFreeTier.day {
            return stretch.rates[Key(market: market, category: PricingCategory.utility)]?.rate
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

    /// The tier table in force for a key on a day, if the card in force has one.
    public func tierTable(currency: String, market: String, category: String, on day: DayKey) -> [TierEntry]? {
        stretch(currency, category, day)?.tiers[Key(market: market, category: category)]
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

    /// Every rate a market and category has had in a currency's messaging cards, each with the day of
    /// the card that set it, oldest first (for naming the card another figure was priced with).
    public func rateHistory(currency: String, market: String, category: String) -> [(from: DayKey, rate: Decimal)] {
        var found: [(from: DayKey, rate: Decimal)] = []
        let key = Key(market: market, category: Self.rateCategory(category))
        for stretch in stretches[History(currency: currency, product: .messaging)] ?? [] {
            guard let listed = stretch.rates[key], !found.contains(where: { $0.from == listed.from }) else { continue }
            found.append((listed.from, listed.rate))
        }
        return found.sorted { $0.from < $1.from }
    }

    /// The cards that price some day from `first` through `last` in a currency, oldest first.
    public func editions(
        currency: String, product: RateCardEdition.Product = .messaging, from first: DayKey, through last: DayKey
    ) -> [RateCardEdition.Summary] {
        guard let list = stretches[History(currency: currency, product: product)] else { return [] }
        var found: [RateCardEdition.Summary] = []
        for (index, stretch) in list.enumerated() {
            let end = index + 1 < list.count ? list[index + 1].from - 1 : DayKey.max
            guard stretch.from <= last && end >= first else { continue }
            for edition in stretch.editions where !found.contains(edition) { found.append(edition) }
        }
        return found
    }

    /// Every rate and tier table in force on a day (for listing), each dated by the card that set it.
    public func inForce(on day: DayKey) -> (rates: [RateEntry], tiers: [TierEntry]) {
        var rates: [RateEntry] = []
        var tiers: [TierEntry] = []
        for history in stretches.keys {
            guard let stretch = stretch(history, day) else { continue }
            for (key, listed) in stretch.rates {
                rates.append(
                    RateEntry(
                        effectiveFrom: listed.from, currency: history.currency, market: key.market,
                        category: key.category, rate: listed.rate))
            }
            tiers += stretch.tiers.values.joined()
        }
        rates.sort { ($0.currency, $0.market, $0.category) < ($1.currency, $1.market, $1.category) }
        tiers.sort {
            ($0.currency, $0.market, $0.category, $0.volumeFrom) < ($1.currency, $1.market, $1.category, $1.volumeFrom)
        }
        return (rates, tiers)
    }

    /// The stretch in force on a day of the history a category is priced from (calling rates are
    /// their own history).
    private func stretch(_ currency: String, _ category: String, _ day: DayKey) -> Stretch? {
        stretch(History(currency: currency, product: RateCardEdition.Product(category: category)), day)
    }

    private func stretch(_ history: History, _ day: DayKey) -> Stretch? {
        guard let list = stretches[history] else { return nil }
        var found: Int?
        for index in list.indices {
            if list[index].from > day { break }
            found = index
        }
        return found.map { list[$0] }
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
