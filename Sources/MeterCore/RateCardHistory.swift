import Foundation
import Synchronization

/// The cards that price reports: the built-in history (`BuiltInRateCards`) with the imported cards
/// over it. An imported card for a currency and day replaces the built-in card of that currency and
/// day and nothing else; as a patch it changes only the rates it lists.
public enum RateCardHistory {
    /// The built-in history of every currency (for listing; reports build one currency's).
    public static var builtInCard: RateCard { RateCard(editions: BuiltInRateCards.editions) }

    /// The card one currency's units are priced with: its built-in history with the imported rows
    /// and cards (of that currency) over it. Without imports it is built once per process.
    public static func card(
        currency: String, importedRates: [RateEntry], tiers: [TierEntry], cards: [ImportedRateCardInfo]
    ) -> RateCard {
        let builtIn = BuiltInRateCards.editions(currency: currency)
        if importedRates.isEmpty && tiers.isEmpty {
            if let cached = builtInCards.withLock({ $0[currency] }) { return cached }
            let card = RateCard(editions: builtIn)
            builtInCards.withLock { $0[currency] = card }
            return card
        }
        return RateCard(
            editions: editions(importedRates: importedRates, tiers: tiers, cards: cards, builtIn: builtIn))
    }

    private static let builtInCards = Mutex<[String: RateCard]>([:])

    /// Every card in force somewhere: built-in ones, imported ones, and imported ones merged with the
    /// built-in card of their day.
    public static func editions(
        importedRates: [RateEntry], tiers: [TierEntry], cards: [ImportedRateCardInfo],
        builtIn: [RateCardEdition] = BuiltInRateCards.editions
    ) -> [RateCardEdition] {
        let imported = importedEditions(rates: importedRates, tiers: tiers, cards: cards)
        var byDay: [CardKey: RateCardEdition] = [:]
        for edition in builtIn { byDay[CardKey(edition)] = edition }
        for edition in imported {
            byDay[CardKey(edition)] = byDay[CardKey(edition)].map { merge(edition, over: $0) } ?? edition
        }
        return byDay.values.sorted {
            ($0.currency, $0.product.rawValue, $0.effectiveFrom) < ($1.currency, $1.product.rawValue, $1.effectiveFrom)
        }
    }

    /// The imported rows as cards, one per currency and effective day. A day without a stored kind
    /// (rows imported before cards had kinds) is whole when it has rates, a patch when it only has
    /// tier tables, so tiers imported alone never end a card's rates.
    public static func importedEditions(
        rates: [RateEntry], tiers: [TierEntry], cards: [ImportedRateCardInfo]
    ) -> [RateCardEdition] {
        var kinds: [CardKey: RateCardEdition.Kind] = [:]
        for card in cards {
            kinds[CardKey(currency: card.currency, day: card.effectiveFrom, product: card.product)] = card.kind
        }
        let rateGroups = Dictionary(grouping: rates) {
            CardKey(
                currency: $0.currency, day: $0.effectiveFrom, product: RateCardEdition.Product(category: $0.category))
        }
        let tierGroups = Dictionary(grouping: tiers) {
            CardKey(
                currency: $0.currency, day: $0.effectiveFrom, product: RateCardEdition.Product(category: $0.category))
        }
        return Set(rateGroups.keys).union(tierGroups.keys).map { key in
            let rates = rateGroups[key] ?? []
            return RateCardEdition(
                currency: key.currency, effectiveFrom: key.day, kind: kinds[key] ?? (rates.isEmpty ? .patch : .whole),
                origin: .imported, rates: rates, tiers: tierGroups[key] ?? [])
        }
    }

    /// An imported card over the built-in card of its day: a whole card's rates replace the built-in
    /// rates (tier tables alone do not), a patch's rates replace only the keys it lists; tier tables
    /// replace the built-in table with the same market and category.
    static func merge(_ imported: RateCardEdition, over builtIn: RateCardEdition) -> RateCardEdition {
        struct Key: Hashable {
            var market: String
            var category: String
        }
        let replacesRates = imported.kind == .whole && !imported.rates.isEmpty
        let importedRateKeys = Set(imported.rates.map { Key(market: $0.market, category: $0.category) })
        let keptRates =
            replacesRates
            ? [] : builtIn.rates.filter { !importedRateKeys.contains(Key(market: $0.market, category: $0.category)) }
        let importedTierKeys = Set(imported.tiers.map { Key(market: $0.market, category: $0.category) })
        let keptTiers = builtIn.tiers.filter {
            !importedTierKeys.contains(Key(market: $0.market, category: $0.category))
        }
        let keepsBuiltIn = !keptRates.isEmpty || !keptTiers.isEmpty
        return RateCardEdition(
            currency: imported.currency, effectiveFrom: imported.effectiveFrom,
            kind: imported.kind == .whole || builtIn.kind == .whole ? .whole : .patch,
            origin: keepsBuiltIn ? .importedOverBuiltIn : .imported, rates: keptRates + imported.rates,
            tiers: keptTiers + imported.tiers, confidence: keepsBuiltIn ? builtIn.confidence : nil,
            note: keepsBuiltIn ? builtIn.note : nil, uncertain: keepsBuiltIn ? builtIn.uncertain : [])
    }

    /// A card's identity: currency, effective day and product (a calling card and a messaging card
    /// of the same day are two cards).
    struct CardKey: Hashable {
        var currency: String
        var day: DayKey
        var product: RateCardEdition.Product

        init(currency: String, day: DayKey, product: RateCardEdition.Product) {
            self.currency = currency
            self.day = day
            self.product = product
        }

        init(_ edition: RateCardEdition) {
            self.init(currency: edition.currency, day: edition.effectiveFrom, product: edition.product)
        }
    }
}
