import Foundation

/// Where the rate cards leave charged traffic unpriced: per currency and month, each market and
/// category with charged units but no rate, and the card in force that lacks it (what to import).
public enum RateCoverage {
    public struct Gap: Sendable, Equatable, Codable {
        public var currency: String
        public var month: String
        public var kind: String
        public var market: String
        public var category: String
        /// Charged units without a rate, over every account.
        public var unrated: Int
        public var accounts: [String]
        /// The latest card in force in the month (`"USD 2026-10-01 whole, built-in (transcription)"`),
        /// or `nil` when no card of the currency is in force.
        public var card: String?

        public init(
            currency: String, month: String, kind: String, market: String, category: String, unrated: Int,
            accounts: [String], card: String?
        ) {
            self.currency = currency
            self.month = month
            self.kind = kind
            self.market = market
            self.category = category
            self.unrated = unrated
            self.accounts = accounts
            self.card = card
        }

        /// Every key is always present (`null` when unknown), so scripts need not test for keys.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(currency, forKey: .currency)
            try container.encode(month, forKey: .month)
            try container.encode(kind, forKey: .kind)
            try container.encode(market, forKey: .market)
            try container.encode(category, forKey: .category)
            try container.encode(unrated, forKey: .unrated)
            try container.encode(accounts, forKey: .accounts)
            try container.encode(card, forKey: .card)
        }
    }

    /// The gaps of a set of month reports, sorted by currency, month, kind, category and market.
    public static func gaps(of reports: [Report]) -> [Gap] {
        struct Key: Hashable {
            var currency, month, kind, market, category: String
        }
        var gaps: [Key: Gap] = [:]
        for report in reports {
            for unit in report.unrated.units {
                let key = Key(
                    currency: report.currency, month: report.month, kind: unit.kind, market: unit.market,
                    category: unit.category)
                var gap =
                    gaps[key]
                    ?? Gap(
                        currency: report.currency, month: report.month, kind: unit.kind, market: unit.market,
                        category: unit.category, unrated: 0, accounts: [], card: report.rateCards.last?.label)
                gap.unrated += unit.count
                if !gap.accounts.contains(report.account) { gap.accounts.append(report.account) }
                gaps[key] = gap
            }
        }
        return gaps.values.sorted {
            ($0.currency, $0.month, $0.kind, $0.category, $0.market) < (
                $1.currency, $1.month, $1.kind, $1.category, $1.market
            )
        }
    }
}
