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
        /// Sent from the WhatsApp Business app and by Meta's Business Agent (added fields).
        public var appSent: Int?
        public var agentSent: Int?

        enum CodingKeys: String, CodingKey {
            case sent, delivered, read, failed, received, charged, dropped, pending
            case byCategory = "by_category"
            case appSent = "app_sent"
            case agentSent = "agent_sent"
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
        /// Messages plus calls.
        public var total: String
        public var currency: String
        /// The messages' and conversations' part (added field).
        public var messages: String?
        /// The calls' part (added field).
        public var calls: String?
    }

    /// The month's voice calls (added field; docs/calls.md).
    public struct Calls: Sendable, Equatable, Codable {
        public struct Line: Sendable, Equatable, Codable {
            public var count: Int
            public var charged: Int
            public var billedMinutes: String
            public var cost: String
            public var unrated: Int

            enum CodingKeys: String, CodingKey {
                case count, charged
                case billedMinutes = "billed_minutes"
                case cost, unrated
            }

            init(_ line: Report.Calls.Line) {
                count = line.count
                charged = line.charged
                billedMinutes = formatMoney(line.billedMinutes)
                cost = formatMoney(line.cost)
                unrated = line.unrated
            }
        }

        public var count: Int
        public var answered: Int
        public var businessInitiated: Int
        public var userInitiated: Int
        public var unknownDirection: Int
        public var charged: Int
        public var billedMinutes: String
        public var cost: String
        public var unrated: Int
        /// Seconds, as a decimal string.
        public var averageDuration: String
        public var failedWithDuration: Int
        public var byMarket: [String: Line]
        public var byPhoneNumber: [String: Line]
        public var tiers: [String: [String]]

        enum CodingKeys: String, CodingKey {
            case count, answered
            case businessInitiated = "business_initiated"
            case userInitiated = "user_initiated"
            case unknownDirection = "unknown_direction"
            case charged
            case billedMinutes = "billed_minutes"
            case cost, unrated
            case averageDuration = "average_duration"
            case failedWithDuration = "failed_with_duration"
            case byMarket = "by_market"
            case byPhoneNumber = "by_phone_number"
            case tiers
        }

        init(_ calls: Report.Calls) {
            count = calls.count
            answered = calls.answered
            businessInitiated = calls.businessInitiated
            userInitiated = calls.userInitiated
            unknownDirection = calls.unknownDirection
            charged = calls.charged
            billedMinutes = formatMoney(calls.billedMinutes)
            cost = formatMoney(calls.cost)
            unrated = calls.unrated
            averageDuration = calls.averageDuration.rounded(places: 1).description
            failedWithDuration = calls.failedWithDuration
            byMarket = calls.byMarket.mapValues(Line.init)
            byPhoneNumber = calls.byPhoneNumber.mapValues(Line.init)
            tiers = calls.tiers
        }
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
    /// Voice calls (added field).
    public var calls: Calls?
    /// The current month's forecast; absent for other months (added field; docs/report.md).
    public var forecast: Forecast?

    public struct Forecast: Codable, Equatable, Sendable {
        public struct Count: Codable, Equatable, Sendable {
            public var estimate: Int
            public var low: Int
            public var high: Int
        }

        public struct Money: Codable, Equatable, Sendable {
            public var estimate: String
            public var low: String
            public var high: String
            public var currency: String
        }

        public struct FreeTierLeft: Codable, Equatable, Sendable {
            public var scope: String
            public var used: Int
            public var left: Int
        }

        public struct TierLeft: Codable, Equatable, Sendable {
            public var market: String
            public var category: String
            public var tier: String
            public var toNextTier: Int?

            enum CodingKeys: String, CodingKey {
                case market, category, tier
                case toNextTier = "to_next_tier"
            }
        }

        public var asOf: String
        public var method: String
        public var daysElapsed: Int
        public var daysInMonth: Int
        public var delivered: Count
        public var charged: Count
        public var cost: Money
        public var freeTierLeft: [FreeTierLeft]
        public var volumeTiers: [TierLeft]

        enum CodingKeys: String, CodingKey {
            case asOf = "as_of"
            case method
            case daysElapsed = "days_elapsed"
            case daysInMonth = "days_in_month"
            case delivered, charged, cost
            case freeTierLeft = "free_tier_left"
            case volumeTiers = "volume_tiers"
        }

        init(_ forecast: Report.Forecast, currency: String) {
            let p = forecast.projection
            asOf = DayKeys.format(p.asOf)
            method = MonthForecast.method
            daysElapsed = p.daysElapsed
            daysInMonth = p.daysInMonth
            delivered = Count(estimate: p.delivered.estimate, low: p.delivered.low, high: p.delivered.high)
            charged = Count(estimate: p.charged.estimate, low: p.charged.low, high: p.charged.high)
            cost = Money(
                estimate: formatMoney(p.cost.estimate), low: formatMoney(p.cost.low), high: formatMoney(p.cost.high),
                currency: currency)
            freeTierLeft = forecast.freeTierLeft.map { FreeTierLeft(scope: $0.scope, used: $0.used, left: $0.left) }
            volumeTiers = forecast.tiers.map {
                TierLeft(market: $0.market, category: $0.category, tier: $0.tier, toNextTier: $0.toNextTier)
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case account, month, timezone, currency, conversations, messages
        case byMarket = "by_market"
        case byCountry = "by_country"
        case byPhoneNumber = "by_phone_number"
        case cost, unrated
        case volumeTiers = "volume_tiers"
        case webhookPriced = "webhook_priced"
        case rateCards = "rate_cards"
        case calls
        case forecast
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
            charged: m.charged, dropped: m.dropped, pending: m.pending, byCategory: categories(m.byCategory),
            appSent: m.appSent, agentSent: m.agentSent)
        byMarket = report.byMarket.mapValues(charged)
        byCountry = report.byCountry.mapValues(charged)
        byPhoneNumber = report.byPhoneNumber.mapValues(charged)
        cost = Cost(
            total: formatMoney(report.cost.total), currency: report.cost.currency,
            messages: formatMoney(report.cost.messages), calls: formatMoney(report.cost.calls))
        unrated = report.unrated
        volumeTiers = report.volumeTiers
        webhookPriced = charged(report.webhookPriced)
        rateCards = report.rateCards
        calls = Calls(report.calls)
        forecast = report.forecast.map { Forecast($0, currency: report.currency) }
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
        calls = try container.decodeIfPresent(Calls.self, forKey: .calls)
        forecast = try container.decodeIfPresent(Forecast.self, forKey: .forecast)
    }
}
