/// How an import changes the stored cards: one change per currency and effective day of its rows.
/// The rule is the same for every backend, so it lives here and the stores only run it.
public enum RateCardImports {
    public struct CardChange: Sendable, Equatable {
        public var currency: String
        public var effectiveFrom: DayKey
        public var product: RateCardEdition.Product
        /// The import's kind for this card.
        public var kind: RateCardEdition.Kind
        /// Whether the import has rates for this card (else only tier tables).
        public var hasRates: Bool

        /// A whole card with rates replaces every rate stored for its currency and day.
        public var replacesRates: Bool { kind == .whole && hasRates }

        /// The kind to store: whole when this import replaces the rates; otherwise the stored
        /// card's kind, and for a new card a patch unless it brings rates as a whole card (tier
        /// tables alone never end a card's rates).
        public func storedKind(over stored: RateCardEdition.Kind?) -> RateCardEdition.Kind {
            if replacesRates { return .whole }
            return stored ?? .patch
        }
    }

    public static func cards(of rates: [RateEntry], tiers: [TierEntry], kind: RateCardEdition.Kind) -> [CardChange] {
        var withRates: [RateCardHistory.CardKey: Bool] = [:]
        for rate in rates {
            let product = RateCardEdition.Product(category: rate.category)
            withRates[RateCardHistory.CardKey(currency: rate.currency, day: rate.effectiveFrom, product: product)] =
                true
        }
        for tier in tiers {
            let product = RateCardEdition.Product(category: tier.category)
            let key = RateCardHistory.CardKey(currency: tier.currency, day: tier.effectiveFrom, product: product)
            if withRates[key] == nil { withRates[key] = false }
        }
        return withRates.map {
            CardChange(
                currency: $0.key.currency, effectiveFrom: $0.key.day, product: $0.key.product, kind: kind,
                hasRates: $0.value)
        }.sorted {
            ($0.currency, $0.effectiveFrom, $0.product.rawValue) < ($1.currency, $1.effectiveFrom, $1.product.rawValue)
        }
    }
}
