import Foundation

/// One currency's rate card from one effective day: its list rates and volume-tier tables.
///
/// A **whole** card is everything Meta charges in that currency from its day: it ends every earlier
/// card of the currency, and a market or category it does not list is unrated. A **patch** changes
/// some rates of the card in force (a few markets, a missing column) and leaves the rest. A card
/// dated before per-message pricing (2025-07-01) prices conversations only and ends on that day; a
/// later card prices messages only.
public struct RateCardEdition: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case whole, patch
    }

    /// Where the card's rates came from.
    public enum Origin: String, Sendable, Codable {
        /// Compiled into wameter from `data/rates/` (`BuiltInRateCards`).
        case builtIn = "built-in"
        /// Imported with `wameter rates import`.
        case imported
        /// An imported patch over the built-in card of the same day (its unlisted rates are the
        /// built-in ones).
        case importedOverBuiltIn = "imported over built-in"
    }

    /// How far a built-in card can be trusted (data/rates/SOURCES.md §2).
    public enum Confidence: String, Sendable, Codable {
        /// A byte-for-byte or machine-extracted copy of Meta's own file.
        case metaCopy = "meta_copy"
        /// A hand transcription, checked as SOURCES.md describes.
        case transcription
    }

    /// What a card prices: messages and conversations, or business-initiated calls (per minute).
    /// A calling card never ends a messaging card, and the reverse.
    public enum Product: String, Sendable, Codable, CaseIterable {
        case messaging, calling

        /// The product a rate of `category` belongs to.
        public init(category: String) {
            self = category == RateCardEdition.callingCategory ? .calling : .messaging
        }
    }

    /// The category of calling rates and tiers (per minute, tiers by minutes in the month).
    public static let callingCategory = "calling"

    public var currency: String
    public var effectiveFrom: DayKey
    public var kind: Kind
    public var origin: Origin
    public var rates: [RateEntry]
    public var tiers: [TierEntry]
    /// Built-in cards only: how the figures were obtained.
    public var confidence: Confidence?
    /// What to know before trusting it (missing columns, figures carried from elsewhere).
    public var note: String?
    /// `market/category` figures the sources disagree on slightly, kept as read.
    public var uncertain: [String]

    public init(
        currency: String, effectiveFrom: DayKey, kind: Kind, origin: Origin, rates: [RateEntry],
        tiers: [TierEntry] = [], confidence: Confidence? = nil, note: String? = nil, uncertain: [String] = []
    ) {
        self.currency = currency
        self.effectiveFrom = effectiveFrom
        self.kind = kind
        self.origin = origin
        self.rates = rates
        self.tiers = tiers
        self.confidence = confidence
        self.note = note
        self.uncertain = uncertain
    }

    public var product: Product {
        Product(category: rates.first?.category ?? tiers.first?.category ?? "")
    }

    /// Whether the card prices conversations (a messaging card dated before per-message pricing).
    public var pricesConversations: Bool {
        product == .messaging && effectiveFrom < PricingEra.perMessagePricing.day
    }

    /// The card without its rows, for saying which cards priced a report.
    public var summary: Summary {
        Summary(
            currency: currency, effectiveFrom: DayKeys.format(effectiveFrom), kind: kind, origin: origin,
            confidence: confidence, note: note, uncertain: uncertain, product: product)
    }

    /// A card as the report and `rates list` name it (JSON field names are part of the contract).
    public struct Summary: Sendable, Equatable, Codable {
        public var currency: String
        public var effectiveFrom: String
        public var kind: Kind
        public var origin: Origin
        public var confidence: Confidence?
        public var note: String?
        public var uncertain: [String]
        public var product: Product

        public init(
            currency: String, effectiveFrom: String, kind: Kind, origin: Origin, confidence: Confidence?, note: String?,
            uncertain: [String], product: Product = .messaging
        ) {
            self.currency = currency
            self.effectiveFrom = effectiveFrom
            self.kind = kind
            self.origin = origin
            self.confidence = confidence
            self.note = note
            self.uncertain = uncertain
            self.product = product
        }

        enum CodingKeys: String, CodingKey {
            case currency, kind, origin, confidence, note, uncertain, product
            case effectiveFrom = "effective_from"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            currency = try container.decode(String.self, forKey: .currency)
            effectiveFrom = try container.decode(String.self, forKey: .effectiveFrom)
            kind = try container.decode(Kind.self, forKey: .kind)
            origin = try container.decode(Origin.self, forKey: .origin)
            confidence = try container.decodeIfPresent(Confidence.self, forKey: .confidence)
            note = try container.decodeIfPresent(String.self, forKey: .note)
            uncertain = try container.decodeIfPresent([String].self, forKey: .uncertain) ?? []
            product = try container.decodeIfPresent(Product.self, forKey: .product) ?? .messaging
        }

        /// Every key is always present (`null` when unknown), so scripts need not test for keys.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(currency, forKey: .currency)
            try container.encode(effectiveFrom, forKey: .effectiveFrom)
            try container.encode(kind, forKey: .kind)
            try container.encode(origin, forKey: .origin)
            try container.encode(confidence, forKey: .confidence)
            try container.encode(note, forKey: .note)
            try container.encode(uncertain, forKey: .uncertain)
            try container.encode(product, forKey: .product)
        }

        /// The card's name: "USD 2026-10-01", "USD calling 2025-08-01".
        public var name: String { "\(currency)\(product == .calling ? " calling" : "") \(effectiveFrom)" }

        /// One line for people: "USD 2026-10-01 whole, built-in (transcription)" ("USD calling …").
        public var label: String {
            var text = "\(name) \(kind.rawValue), \(origin.rawValue)"
            if let confidence { text += " (\(confidence == .metaCopy ? "Meta copy" : "transcription"))" }
            return text
        }
    }
}

/// What the store keeps about one imported card besides its rows.
public struct ImportedRateCardInfo: Sendable, Equatable {
    public var currency: String
    public var effectiveFrom: DayKey
    public var product: RateCardEdition.Product
    public var kind: RateCardEdition.Kind
    /// When it was (last) imported, epoch seconds.
    public var importedAt: Int64

    public init(
        currency: String, effectiveFrom: DayKey, product: RateCardEdition.Product = .messaging,
        kind: RateCardEdition.Kind, importedAt: Int64
    ) {
        self.currency = currency
        self.effectiveFrom = effectiveFrom
        self.product = product
        self.kind = kind
        self.importedAt = importedAt
    }
}
