import Foundation

/// An insights answer as JSON (`wameter insights --format json`, `GET /api/v1/insights`). Fields may
/// be added, never renamed. Money is a decimal string in the row's currency. Each row names its
/// period, its currency and its value of every queried dimension (`account`, `phone_number_id`,
/// `country`, `market`, `category`, `pricing_type`, `direction`); by phone number, also the
/// number's `display_phone_number` when a webhook named it.
public struct InsightsJSON: Sendable, Equatable, Encodable {
    public struct Messages: Sendable, Equatable, Encodable {
        public var sent: Int
        public var delivered: Int
        public var read: Int
        public var failed: Int
        public var received: Int
        public var charged: Int
        public var free: Int
        /// Totals only, and only when the query filters on nothing but accounts.
        public var pending: Int?
        public var dropped: Int?
        /// Sent from the WhatsApp Business app and by Meta's Business Agent (added fields).
        public var appSent: Int
        public var agentSent: Int

        enum CodingKeys: String, CodingKey {
            case sent, delivered, read, failed, received, charged, free, pending, dropped
            case appSent = "app_sent"
            case agentSent = "agent_sent"
        }
    }

    public struct Conversations: Sendable, Equatable, Encodable {
        public var delivered: Int
        public var charged: Int
        public var free: Int
        public var pending: Int?
        public var dropped: Int?
    }

    /// A total (per currency) or a row: its figures, and for a row its period and dimension values.
    /// Voice calls of a row or total (added field, present when there are calls).
    public struct Calls: Sendable, Equatable, Encodable {
        public var count: Int
        public var answered: Int
        public var charged: Int
        public var billedMinutes: String
        /// Their part of `cost`.
        public var cost: String
        /// Seconds, of the answered calls.
        public var averageDuration: String

        enum CodingKeys: String, CodingKey {
            case count, answered, charged
            case billedMinutes = "billed_minutes"
            case cost
            case averageDuration = "average_duration"
        }
    }

    public struct Figures: Sendable, Equatable, Encodable {
        public var period: String?
        public var currency: String
        public var dimensions: [String: String]
        public var messages: Messages
        public var conversations: Conversations
        public var cost: String
        public var unrated: Int
        public var calls: Calls?

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ string: String) { stringValue = string }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        /// The dimension values sit beside the figures (`"country": "IN"`), as in Meta's data points.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encodeIfPresent(period, forKey: Key("period"))
            try container.encode(currency, forKey: Key("currency"))
            for (name, value) in dimensions { try container.encode(value, forKey: Key(name)) }
            try container.encode(messages, forKey: Key("messages"))
            try container.encode(conversations, forKey: Key("conversations"))
            try container.encode(cost, forKey: Key("cost"))
            try container.encode(unrated, forKey: Key("unrated"))
            try container.encodeIfPresent(calls, forKey: Key("calls"))
        }
    }

    public var accounts: [String]
    /// The local days the query read (for a period given as times, those that may hold it in any
    /// time zone).
    public var from: String
    public var to: String
    /// A period given as times: its first instant and the instant it ends (excluded), UTC epoch
    /// seconds (added fields, absent for dates).
    public var start: Int64?
    public var end: Int64?
    public var granularity: String
    public var dimensions: [String]
    public var filters: [String: [String]]
    public var totals: [Figures]
    public var rows: [Figures]
    /// Only when asked (`forecast=true`): each account's month-end forecast of its current month,
    /// and their sums per currency (estimates, lows and highs each summed).
    public var forecast: ForecastJSON?

    public struct ForecastJSON: Sendable, Equatable, Encodable {
        public struct Account: Sendable, Equatable, Encodable {
            public var account: String
            public var month: String
            public var forecast: ReportJSON.Forecast
        }

        public struct Total: Sendable, Equatable, Encodable {
            public var currency: String
            public var delivered: ReportJSON.Forecast.Count
            public var charged: ReportJSON.Forecast.Count
            public var cost: ReportJSON.Forecast.Money
        }

        public var accounts: [Account]
        public var totals: [Total]

        init(_ forecasts: [InsightsResult.AccountForecast]) {
            accounts = forecasts.map {
                Account(
                    account: $0.account, month: $0.month.description,
                    forecast: ReportJSON.Forecast($0.forecast, currency: $0.currency))
            }
            totals = Dictionary(grouping: forecasts, by: \.currency).sorted { $0.key < $1.key }.map { currency, list in
                let p = list.map(\.forecast.projection)
                func count(_ pick: (MonthForecast) -> MonthForecast.Estimate<Int>) -> ReportJSON.Forecast.Count {
                    ReportJSON.Forecast.Count(
                        estimate: p.map { pick($0).estimate }.reduce(0, +), low: p.map { pick($0).low }.reduce(0, +),
                        high: p.map { pick($0).high }.reduce(0, +))
                }
                return Total(
                    currency: currency, delivered: count(\.delivered), charged: count(\.charged),
                    cost: ReportJSON.Forecast.Money(
                        estimate: formatMoney(p.map(\.cost.estimate).reduce(0, +)),
                        low: formatMoney(p.map(\.cost.low).reduce(0, +)),
                        high: formatMoney(p.map(\.cost.high).reduce(0, +)), currency: currency))
            }
        }
    }

    public init(_ result: InsightsResult) {
        let query = result.query
        accounts = result.accounts
        from = DayKeys.format(query.from)
        to = DayKeys.format(query.to)
        start = query.instants?.lowerBound
        end = query.instants?.upperBound
        granularity = query.granularity.rawValue
        dimensions = query.dimensions.map(\.rawValue)
        filters = Dictionary(
            uniqueKeysWithValues: query.filters.values.map { ($0.key.rawValue, $0.value.sorted()) })
        totals = result.totals.map {
            Self.figures(
                $0.metrics, period: nil, currency: $0.currency, dimensions: [:],
                undeliveredMessages: $0.undeliveredMessages,
                undeliveredConversations: $0.undeliveredConversations)
        }
        forecast = result.forecasts.map(ForecastJSON.init)
        rows = result.rows.map { row in
            var dimensions = Dictionary(
                uniqueKeysWithValues: zip(query.dimensions.map(\.fieldName), row.values).map { ($0, $1) })
            // Beside the id, as people and Meta's analytics name the number.
            if let display = result.displayNumber(of: row) { dimensions["display_phone_number"] = display }
            return Self.figures(
                row.metrics, period: row.period, currency: row.currency, dimensions: dimensions,
                undeliveredMessages: nil, undeliveredConversations: nil)
        }
    }

    static func figures(
        _ metrics: InsightsMetrics, period: String?, currency: String, dimensions: [String: String],
        undeliveredMessages: UndeliveredCounts?, undeliveredConversations: UndeliveredCounts?
    ) -> Figures {
        Figures(
            period: period, currency: currency, dimensions: dimensions,
            messages: Messages(
                sent: metrics.messagesSent, delivered: metrics.messagesDelivered, read: metrics.messagesRead,
                failed: metrics.messagesFailed, received: metrics.messagesReceived, charged: metrics.messagesCharged,
                free: metrics.messagesFree,
                pending: undeliveredMessages.map { $0.total - $0.dropped }, dropped: undeliveredMessages?.dropped,
                appSent: metrics.messagesAppSent, agentSent: metrics.messagesAgentSent),
            conversations: Conversations(
                delivered: metrics.conversationsDelivered, charged: metrics.conversationsCharged,
                free: metrics.conversationsFree,
                pending: undeliveredConversations.map { $0.total - $0.dropped },
                dropped: undeliveredConversations?.dropped),
            cost: formatMoney(metrics.cost), unrated: metrics.unrated,
            calls: metrics.calls == 0
                ? nil
                : Calls(
                    count: metrics.calls, answered: metrics.callsAnswered, charged: metrics.callsCharged,
                    billedMinutes: formatMoney(metrics.callMinutes), cost: formatMoney(metrics.callCost),
                    averageDuration: metrics.averageCallDuration.rounded(places: 1).description))
    }
}
