import Foundation

/// A month's report for one account, as computed: counts, and money as exact `Decimal`s in the
/// account's currency, so that anything computing on it (budgets, forecasts, charts) never parses
/// text. Its JSON, the interface contract, is `ReportJSON`; the CSV and table are `ReportRendering`.
public struct Report: Sendable, Equatable {
    public struct CategoryLine: Sendable, Equatable {
        public var delivered: Int
        public var charged: Int
        public var cost: Decimal
        /// Charged units with no rate (not in `cost`).
        public var unrated: Int

        public init(delivered: Int, charged: Int, cost: Decimal, unrated: Int = 0) {
            self.delivered = delivered
            self.charged = charged
            self.cost = cost
            self.unrated = unrated
        }
    }

    public struct Conversations: Sendable, Equatable {
        public var delivered: Int
        public var charged: Int
        public var dropped: Int
        public var pending: Int
        /// Delivered conversations the month's free tier covered (added field).
        public var freeTier: Int
        /// Delivered free entry point conversations (added field).
        public var freeEntryPoint: Int
        public var byCategory: [String: CategoryLine]
    }

    public struct Messages: Sendable, Equatable {
        public var sent: Int
        public var delivered: Int
        public var read: Int
        public var failed: Int
        public var received: Int
        public var charged: Int
        /// Sent from the WhatsApp Business app (coexistence; free) and by Meta's Business Agent
        /// (added fields). Not in `sent`, which counts what the Cloud API sent.
        public var appSent: Int
        public var agentSent: Int
        public var dropped: Int
        public var pending: Int
        public var byCategory: [String: CategoryLine]
    }

    public struct ChargedLine: Sendable, Equatable {
        public var charged: Int
        public var cost: Decimal
        /// Charged units with no rate (not in `cost`).
        public var unrated: Int

        public init(charged: Int, cost: Decimal, unrated: Int = 0) {
            self.charged = charged
            self.cost = cost
            self.unrated = unrated
        }
    }

    public struct Cost: Sendable, Equatable {
        /// Messages (and conversations) plus calls.
        public var total: Decimal
        public var currency: String
        /// The messages' and conversations' part (added field).
        public var messages: Decimal
        /// The calls' part (added field).
        public var calls: Decimal

        /// A cost of messages only.
        public init(total: Decimal, currency: String) {
            self.init(messages: total, currency: currency)
        }

        public init(messages: Decimal, calls: Decimal = 0, currency: String) {
            self.total = messages + calls
            self.currency = currency
            self.messages = messages
            self.calls = calls
        }
    }

    /// Charged units with no rate in the card: counted, listed, never priced at zero silently. (No
    /// money in it, so the JSON uses it as it is.)
    public struct Unrated: Sendable, Equatable, Codable {
        public struct Unit: Sendable, Equatable, Codable {
            public var kind: String
            public var category: String
            public var market: String
            public var country: String
            public var count: Int

            public init(kind: String, category: String, market: String, country: String, count: Int) {
                self.kind = kind
                self.category = category
                self.market = market
                self.country = country
                self.count = count
            }
        }
        public var count: Int
        public var units: [Unit]
    }

    /// A volume-tier pool this account's portfolio accrued in during the month, with the tier wameter
    /// computes from its own counts next to the tier Meta last announced by webhook (reference §7.4,
    /// §13.16: Meta's count includes traffic wameter may not see, so the two can differ). No money in
    /// it, so the JSON uses it as it is.
    public struct VolumeTierLine: Sendable, Equatable, Codable {
        public var market: String
        public var category: String
        /// This account's charged messages in the pool.
        public var charged: Int
        /// Every charged message of the portfolio in the pool (each account in its own month).
        public var portfolioCharged: Int
        /// The tier holding the portfolio's latest message, in Meta's notation; `nil` without a tier table.
        public var tier: String?
        public var metaTier: String?
        public var metaTierUpdatedAt: Int64?

        public init(
            market: String, category: String, charged: Int, portfolioCharged: Int, tier: String?, metaTier: String?,
            metaTierUpdatedAt: Int64?
        ) {
            self.market = market
            self.category = category
            self.charged = charged
            self.portfolioCharged = portfolioCharged
            self.tier = tier
            self.metaTier = metaTier
            self.metaTierUpdatedAt = metaTierUpdatedAt
        }

        enum CodingKeys: String, CodingKey {
            case market, category, charged, tier
            case portfolioCharged = "portfolio_charged"
            case metaTier = "meta_tier"
            case metaTierUpdatedAt = "meta_tier_updated_at"
        }

        /// Every field is always present (`null` when unknown), so scripts need not test for keys.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(market, forKey: .market)
            try container.encode(category, forKey: .category)
            try container.encode(charged, forKey: .charged)
            try container.encode(portfolioCharged, forKey: .portfolioCharged)
            try container.encode(tier, forKey: .tier)
            try container.encode(metaTier, forKey: .metaTier)
            try container.encode(metaTierUpdatedAt, forKey: .metaTierUpdatedAt)
        }
    }

    /// One row of the CSV export: a kind × category × market × country cell.
    public struct Line: Sendable, Equatable {
        public var kind: String
        public var category: String
        public var market: String
        public var country: String
        public var delivered: Int
        public var charged: Int
        public var cost: Decimal
        /// Charged units of the cell with no rate (not in `cost`).
        public var unrated: Int = 0
    }

    public var account: String
    public var month: String
    public var timezone: String
    public var currency: String
    public var conversations: Conversations
    public var messages: Messages
    public var byMarket: [String: ChargedLine]
    public var byCountry: [String: ChargedLine]
    /// Charged units and cost per business phone number id (`unknown` when no webhook named it).
    public var byPhoneNumber: [String: ChargedLine]
    public var cost: Cost
    public var unrated: Unrated
    /// Volume-tier pools of the month (added field).
    public var volumeTiers: [VolumeTierLine]
    /// Charged messages priced by their webhook's `pricing.cost` instead of the card (added field).
    public var webhookPriced: ChargedLine
    /// The rate cards in force on some day of the month, oldest first (added field).
    public var rateCards: [RateCardEdition.Summary]
    /// Voice calls placed in the month (added field).
    public var calls: Calls
    /// For the current month only: where it is heading (added field).
    public var forecast: Forecast?
    /// Detail for the CSV and table formats; not part of the JSON.
    public var lines: [Line]

    init(
        account: String, month: String, timezone: String, currency: String, conversations: Conversations,
        messages: Messages, byMarket: [String: ChargedLine], byCountry: [String: ChargedLine],
        byPhoneNumber: [String: ChargedLine], cost: Cost,
        unrated: Unrated, volumeTiers: [VolumeTierLine], webhookPriced: ChargedLine,
        rateCards: [RateCardEdition.Summary], calls: Calls = .none, lines: [Line]
    ) {
        self.calls = calls
        self.rateCards = rateCards
        self.account = account
        self.month = month
        self.timezone = timezone
        self.currency = currency
        self.conversations = conversations
        self.messages = messages
        self.byMarket = byMarket
        self.byCountry = byCountry
        self.byPhoneNumber = byPhoneNumber
        self.cost = cost
        self.unrated = unrated
        self.volumeTiers = volumeTiers
        self.webhookPriced = webhookPriced
        self.lines = lines
    }
}

/// Money as a plain decimal string ("0.0042", "12", never "1.2e1"), rounded to 10 places: how every
/// output renders it.
public func formatMoney(_ value: Decimal) -> String {
    value.rounded(places: 10).description
}
