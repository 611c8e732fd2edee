import Foundation

/// A JSON value in the Graph API's layout. Money is a JSON number written from the exact decimal
/// (as Meta writes `"cost": 4.6`), never through a floating-point value.
public indirect enum GraphJSON: Sendable, Equatable, Encodable {
    case object([String: GraphJSON])
    case array([GraphJSON])
    case string(String)
    case integer(Int)
    case integer64(Int64)
    case decimal(Decimal)

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .object(let fields): try container.encode(fields)
        case .array(let values): try container.encode(values)
        case .string(let text): try container.encode(text)
        case .integer(let value): try container.encode(value)
        case .integer64(let value): try container.encode(value)
        case .decimal(let value): try container.encode(value)
        }
    }
}

extension GraphAnalyticsRequest {
    /// The field's answer, in Meta's layout (reference §9): `analytics` as
    /// `{"phone_numbers", "country_codes", "granularity", "data_points"}`, the other two as
    /// `{"data": [{"data_points": […]}]}`. Data points carry `start` and `end` (Unix seconds of the
    /// local day or month, or of the half-hour), the figures asked for, and one field per dimension, with phone numbers
    /// as display numbers where the webhooks gave one.
    public func response(_ result: InsightsResult, calendar: BillingCalendar) -> GraphJSON {
        let query = result.query
        var points: [GraphJSON] = []
        for row in result.rows {
            let m = row.metrics
            var point: [String: GraphJSON] = [:]
            let (start, end) = Self.bounds(of: row.period, granularity: query.granularity, calendar: calendar)
            // Half-hours are instants, so the answer keeps exactly those asked for (wameter reads
            // whole local days).
            if query.granularity == .halfHour, start < self.start || start >= self.end { continue }
            point["start"] = .integer64(start)
            point["end"] = .integer64(end)
            for (dimension, value) in zip(query.dimensions, row.values) {
                switch dimension {
                case .phone: point["phone_number"] = .string(result.displayNumbers[value] ?? value)
                case .country: point["country"] = .string(value)
                case .category:
                    point[field == .pricingAnalytics ? "pricing_category" : "conversation_category"] = .string(
                        GraphNames.category(value))
                case .pricingType:
                    point[field == .pricingAnalytics ? "pricing_type" : "conversation_type"] = .string(
                        value.uppercased())
                case .direction:
                    point[field == .callAnalytics ? "direction" : "conversation_direction"] = .string(
                        value.uppercased())
                // Omitted for messages priced outside a tier table (free ones included), as Meta omits it.
                case .tier: if !value.isEmpty { point["tier"] = .string(value) }
                case .account, .market, .kind: break
                }
            }
            // Where some units have no rate the cost is not known: left out, as Meta leaves out a
            // cost it cannot show, rather than written as a smaller number.
            let wants = { (metric: String) in
                (metricTypes.isEmpty || metricTypes.contains(metric)) && (metric != "COST" || m.unrated == 0)
            }
            switch field {
            case .analytics:
                guard m.messagesSent + m.messagesDelivered > 0 else { continue }
                point["sent"] = .integer(m.messagesSent)
                point["delivered"] = .integer(m.messagesDelivered)
            case .conversationAnalytics:
                guard m.conversationsDelivered > 0 else { continue }
                if wants("CONVERSATION") { point["conversation"] = .integer(m.conversationsDelivered) }
                if wants("COST") { point["cost"] = .decimal(m.cost) }
            case .pricingAnalytics:
                guard m.messagesDelivered > 0 else { continue }
                if wants("VOLUME") { point["volume"] = .integer(m.messagesDelivered) }
                if wants("COST") { point["cost"] = .decimal(m.cost) }
            case .callAnalytics:
                guard m.calls > 0 else { continue }
                if wants("COUNT") { point["count"] = .integer(m.calls) }
                if wants("COST") { point["cost"] = .decimal(m.callCost) }
                if wants("AVERAGE_DURATION") {
                    point["average_duration"] = .decimal(m.averageCallDuration.rounded(places: 0))
                }
            }
            points.append(.object(point))
        }
        switch field {
        case .analytics:
            var body: [String: GraphJSON] = [
                "granularity": .string(granularityName), "data_points": .array(points),
            ]
            if !phoneNumbers.isEmpty { body["phone_numbers"] = .array(phoneNumbers.map(GraphJSON.string)) }
            if !countryCodes.isEmpty { body["country_codes"] = .array(countryCodes.map(GraphJSON.string)) }
            return .object(body)
        case .conversationAnalytics, .pricingAnalytics, .callAnalytics:
            return .object(["data": .array([.object(["data_points": .array(points)])])])
        }
    }

    /// Unix seconds of a period's local start and end.
    static func bounds(
        of period: String, granularity: InsightsGranularity, calendar: BillingCalendar
    ) -> (
        Int64, Int64
    ) {
        switch granularity {
        case .day:
            let day = DayKeys.parse(period) ?? 0
            let range = calendar.range(from: day, through: day)
            return (range.lowerBound, range.upperBound)
        case .month:
            let range = YearMonth(period).map(calendar.range(of:)) ?? 0..<0
            return (range.lowerBound, range.upperBound)
        case .halfHour:
            let start = HalfHourLabel.parse(period) ?? 0
            return (start, start + 1_800)
        case .total:
            return (0, 0)
        }
    }
}
