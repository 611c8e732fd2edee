import Foundation

/// The figures of one insights row (or total): counts, and cost as an exact `Decimal` in the row's
/// currency. Every field is additive, so a breakdown's rows sum to its total.
public struct InsightsMetrics: Sendable, Equatable {
    public var messagesSent = 0
    public var messagesDelivered = 0
    public var messagesRead = 0
    /// Failed and never delivered.
    public var messagesFailed = 0
    public var messagesReceived = 0
    /// Charged per message (per-message pricing, or NBP notifications).
    public var messagesCharged = 0
    /// Delivered and not charged per message.
    public var messagesFree = 0
    public var conversationsDelivered = 0
    /// Charged conversations: billable and not covered by the free tier.
    public var conversationsCharged = 0
    /// Free entry point and free-tier conversations.
    public var conversationsFree = 0
    /// Estimated cost of the charged units that have a rate.
    public var cost = Decimal(0)
    /// Charged units with no rate (not in `cost`).
    public var unrated = 0
    /// Sent from the WhatsApp Business app (coexistence) and by Meta's Business Agent: free, and not
    /// in `messagesSent`.
    public var messagesAppSent = 0
    public var messagesAgentSent = 0
    /// Voice calls placed, picked up, charged; the charged ones' billed minutes and cost (also in
    /// `cost`), and the answered ones' seconds (for their average duration).
    public var calls = 0
    public var callsAnswered = 0
    public var callsCharged = 0
    public var callMinutes = Decimal(0)
    public var callCost = Decimal(0)
    public var callSeconds = 0

    public init() {}

    /// Mean duration of the answered calls, seconds (0 without any).
    public var averageCallDuration: Decimal {
        callsAnswered == 0 ? 0 : Decimal(callSeconds) / Decimal(callsAnswered)
    }

    public mutating func add(_ other: InsightsMetrics) {
        messagesSent += other.messagesSent
        messagesDelivered += other.messagesDelivered
        messagesRead += other.messagesRead
        messagesFailed += other.messagesFailed
        messagesReceived += other.messagesReceived
        messagesCharged += other.messagesCharged
        messagesFree += other.messagesFree
        conversationsDelivered += other.conversationsDelivered
        conversationsCharged += other.conversationsCharged
        conversationsFree += other.conversationsFree
        // Decimal addition is slow, and most figures cost nothing.
        if !other.cost.isZero { cost += other.cost }
        unrated += other.unrated
        messagesAppSent += other.messagesAppSent
        messagesAgentSent += other.messagesAgentSent
        if other.calls != 0 {
            calls += other.calls
            callsAnswered += other.callsAnswered
            callsCharged += other.callsCharged
            callMinutes += other.callMinutes
            callCost += other.callCost
            callSeconds += other.callSeconds
        }
    }

    public var isZero: Bool { self == InsightsMetrics() }

    /// `count` delivered messages or conversations, charged or free.
    static func delivered(_ count: Int, message: Bool, charged: Bool) -> InsightsMetrics {
        var metrics = InsightsMetrics()
        if message {
            metrics.messagesDelivered = count
            if charged { metrics.messagesCharged = count } else { metrics.messagesFree = count }
        } else {
            metrics.conversationsDelivered = count
            if charged { metrics.conversationsCharged = count } else { metrics.conversationsFree = count }
        }
        return metrics
    }
}

/// An insights query's answer.
public struct InsightsResult: Sendable, Equatable {
    /// One group of rows: a period, a currency and a value per queried dimension.
    public struct Row: Sendable, Equatable {
        /// `YYYY-MM-DD` (day), `YYYY-MM` (month), or `FROM..TO` (total); local to each account.
        public var period: String
        public var currency: String
        /// One value per queried dimension, in the query's order.
        public var values: [String]
        public var metrics: InsightsMetrics
    }

    /// The whole selection, per currency (costs are never summed across currencies).
    public struct Total: Sendable, Equatable {
        public var currency: String
        public var metrics: InsightsMetrics
        /// Sent in the period and not delivered: still pending, or dropped (sent over 30 days before
        /// the query's clock). `nil` when the query filters on anything but the account, since an
        /// undelivered unit has no delivery day, market or pricing type to filter on.
        public var undeliveredMessages: UndeliveredCounts?
        public var undeliveredConversations: UndeliveredCounts?
    }

    /// An account's forecast of its current month, as its report has it.
    public struct AccountForecast: Sendable, Equatable {
        public var account: String
        public var month: YearMonth
        public var currency: String
        public var forecast: Report.Forecast

        public init(account: String, month: YearMonth, currency: String, forecast: Report.Forecast) {
            self.account = account
            self.month = month
            self.currency = currency
            self.forecast = forecast
        }
    }

    public var query: InsightsQuery
    /// When the query asked for it: each account's forecast of its current month.
    public var forecasts: [AccountForecast]?
    /// The accounts queried, by id.
    public var accounts: [String]
    public var totals: [Total]
    /// In period, currency and value order; rows with nothing in them are left out.
    public var rows: [Row]
    /// The display number of each phone number id the webhooks named one for.
    public var displayNumbers: [String: String]

    /// The display number of a row's phone number, when the query breaks down by phone number.
    public func displayNumber(of row: Row) -> String? {
        guard let index = query.dimensions.firstIndex(of: .phone) else { return nil }
        return displayNumbers[row.values[index]]
    }
}
