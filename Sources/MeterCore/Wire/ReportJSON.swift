import Foundation

/// A month's report as JSON: DESIGN.md's interface contract (`wameter report --format json` and
/// `GET /api/v1/accounts/{id}/report`). Field names may be added, never renamed. Money is a decimal
/// string in the account's currency (`formatMoney`), so no client parses it as a float.
public struct ReportJSON: Sendable, Equatable, Codable {
    public struct CategoryLine: Sendable, Equatable, Codable {
        public var delivered: Int
        public var charged: Int
        public var cost: String
        /// Charged units with no rate, not in `cost` (added field).
        public var unrated: Int

        public init(delivered: Int, charged: Int, cost: String, unrated: Int = 0) {
            self.delivered = delivered
            self.charged = charged
            self.cost = cost
            self.unrated = unrated
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            delivered = try container.decode(Int.self, forKey: .delivered)
            charged = try container.decode(Int.self, forKey: .charged)
            cost = try container.decode(String.self, forKey: .cost)
            unrated = try container.decodeIfPresent(Int.self, forKey: .unrated) ?? 0
        }
    }

    public struct Conversations: Sendable, Equatable, Codable {
        public var delivered: Int
        public var charged: Int
        public var dropped: Int
        public var pending: Int
        /// Delivered conversations the month's free tier covered (added field).
        public var freeTier: Int
        /// Delivered free entry point conversations (added field).
        public var freeEntryPoint: Int
        public var byCategory: [String: CategoryLine]

        enum CodingKeys: String, CodingKey {
            case delivered, charged, dropped, pending
            case freeTier = "free_tier"
            case freeEntryPoint = "free_entry_point"
            case byCategory = "by_category"
        }
    }

    public struct Messages: Sendable, Equatable, Codable {
        public var sent: Int
        public var delivered: Int
        public var read: Int
        public var failed: Int
        public var received: Int
        public var charged: Int
        public var dropped: Int
        public var pending: Int
        public var byCategory: [String: CategoryLine]

        enum CodingKeys: String, CodingKey {
            case sent, delivered, read, failed, received, charged, dropped, pending
            case byCategory = "by_category"
        }
    }

    public struct ChargedLine: Sendable, Equatable, Codable {
        public var charged: Int
        public var cost: String
        /// Charged units with no rate, not in `cost` (added field).
        public var unrated: Int

        public init(charged: Int, cost: String, unrated: Int = 0) {
            self.charged = charged
            self.cost = cost
            self.unrated = unrated
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            charged = try container.decode(Int.self, forKey: .charged)
            cost = try container.decode(String.self, forKey: .cost)
            unrated = try container.decodeIfPresent(Int.self, forKey: .unrated) ?? 0
        }
    }

    public struct Cost: Sendable, Equatable, Codable {
        public var total: String
        public var currency: String
    }

    public var account: String
    public var month: String
    public var timezone: String
    public var currency: String
    public var conversations: Conversations
    public var messages: Messages
    public var byMarket: [String: ChargedLine]
    public var byCountry: [String: ChargedLine]
    /// Per business phone number id (added field).
    public var byPhoneNumber: [String: ChargedLine]
    public var cost: Cost
    public var unrated: Report.Unrated
    /// Volume-tier pools of the month (added field).
    public var volumeTiers: [Report.VolumeTierLine]
    /// Charged messages priced by their webhook's `pricing.cost` instead of the card (added field).
    public var webhookPriced: ChargedLine
    /// The rate cards that price some day of the month: built-in or imported, and how far a built-in
    /// one can be trusted (added field).
    public var rateCards: [RateCardEdition.Summary]

    enum CodingKeys: String, CodingKey {
        case account, month, timezone, currency, conversations, messages
        case byMarket = "by_market"
        case byCountry = "by_country"
        case byPhoneNumber = "by_phone_number"
        case cost, unrated
        case volumeTiers = "volume_tiers"
        case webhookPriced = "webhook_priced"
        case rateCards = "rate_cards"
    }

    public init(_ report: Report) {
        func categories(_ lines: [String: Report.CategoryLine]) -> [String: CategoryLine] {
            lines.mapValues {
                CategoryLine(
                    delivered: $0.delivered, charged: $0.charged, cost: formatMoney($0.cost), unrated: $0.unrated)
            }
        }
        func charged(_ line: Report.ChargedLine) -> ChargedLine {
            ChargedLine(charged: line.charged, cost: formatMoney(line.cost), unrated: line.unrated)
        }
        let c = report.conversations
        let m = report.messages
        account = report.account
        month = report.month
        timezone = report.timezone
        currency = report.currency
        conversations = Conversations(
            delivered: c.delivered, charged: c.charged, dropped: c.dropped, pending: c.pending, freeTier: c.freeTier,
            freeEntryPoint: c.freeEntryPoint, byCategory: categories(c.byCategory))
        messages = Messages(
            sent: m.sent, delivered: m.delivered, read: m.read, failed: m.failed, received: m.received,
            charged: m.charged, dropped: m.dropped, pending: m.pending, byCategory: categories(m.byCategory))
        byMarket = report.byMarket.mapValues(charged)
        byCountry = report.byCountry.mapValues(charged)
        byPhoneNumber = report.byPhoneNumber.mapValues(charged)
        cost = Cost(total: formatMoney(report.cost.total), currency: report.cost.currency)
        unrated = report.unrated
        volumeTiers = report.volumeTiers
        webhookPriced = charged(report.webhookPriced)
        rateCards = report.rateCards
    }

    /// Reads JSON written by any version: fields added later default to empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        account = try container.decode(String.self, forKey: .account)
        month = try container.decode(String.self, forKey: .month)
        timezone = try container.decode(String.self, forKey: .timezone)
        currency = try container.decode(String.self, forKey: .currency)
        conversations = try container.decode(Conversations.self, forKey: .conversations)
        messages = try container.decode(Messages.self, forKey: .messages)
        byMarket = try container.decode([String: ChargedLine].self, forKey: .byMarket)
        byCountry = try container.decode([String: ChargedLine].self, forKey: .byCountry)
        byPhoneNumber = try container.decodeIfPresent([String: ChargedLine].self, forKey: .byPhoneNumber) ?? [:]
        cost = try container.decode(Cost.self, forKey: .cost)
        unrated = try container.decode(Report.Unrated.self, forKey: .unrated)
        volumeTiers = try container.decodeIfPresent([Report.VolumeTierLine].self, forKey: .volumeTiers) ?? []
        webhookPriced =
            try container.decodeIfPresent(ChargedLine.self, forKey: .webhookPriced)
            ?? ChargedLine(charged: 0, cost: "0")
        rateCards = try container.decodeIfPresent([RateCardEdition.Summary].self, forKey: .rateCards) ?? []
    }
}
