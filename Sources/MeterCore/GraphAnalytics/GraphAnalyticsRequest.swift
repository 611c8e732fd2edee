import Foundation

/// One of Meta's analytics fields on a WhatsApp Business Account (reference §9), read from its
/// field expansion and answered from the insights query, so that scripts written against the Graph
/// API get wameter's exact figures.
public struct GraphAnalyticsRequest: Sendable, Equatable {
    public enum Field: String, Sendable, CaseIterable {
        /// Messages sent and delivered (§9.1).
        case analytics
        /// Conversations and their cost, the CBP era (§9.2).
        case conversationAnalytics = "conversation_analytics"
        /// Per-message volume and cost, from July 2025 (§9.3).
        case pricingAnalytics = "pricing_analytics"
        /// Voice calls: count, cost and average duration (§7.11).
        case callAnalytics = "call_analytics"
    }

    public var field: Field
    /// Unix seconds, `start` inclusive and `end` exclusive.
    public var start: Int64
    public var end: Int64
    /// As the request spelled it (echoed by `analytics`).
    public var granularityName: String
    public var granularity: InsightsGranularity
    /// Display numbers (or ids) to keep; empty: all.
    public var phoneNumbers: [String]
    public var countryCodes: [String]
    /// `COST`, `CONVERSATION`, `VOLUME`; empty: every metric of the field.
    public var metricTypes: Set<String>
    public var dimensions: [InsightsDimension]
    public var filters: [InsightsDimension: Set<String>]

    /// The modifiers each field accepts; anything else is refused, as Meta refuses it.
    static let modifiers: [Field: Set<String>] = [
        .analytics: ["start", "end", "granularity", "phone_numbers", "country_codes", "product_types"],
        .conversationAnalytics: [
            "start", "end", "granularity", "phone_numbers", "country_codes", "metric_types",
            "conversation_categories", "conversation_types", "conversation_directions", "dimensions",
        ],
        .pricingAnalytics: [
            "start", "end", "granularity", "phone_numbers", "country_codes", "metric_types", "pricing_types",
            "pricing_categories", "dimensions", "tiers",
        ],
        .callAnalytics: [
            "start", "end", "granularity", "phone_numbers", "country_codes", "metric_types", "dimensions",
            "directions",
        ],
    ]

    public static func parse(_ field: GraphField) throws(GraphError) -> GraphAnalyticsRequest {
        guard let kind = Field(rawValue: field.name) else {
            throw .invalidParameter(
                "Tried accessing nonexisting field (\(echoed(field.name))) on node type (WhatsAppBusinessAccount); "
                    + "wameter answers \(Field.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        for name in field.modifiers.keys.sorted() where !(modifiers[kind]?.contains(name) ?? false) {
            throw .invalidParameter("\(kind.rawValue) does not take \(echoed(name))")
        }
        func one(_ name: String) throws(GraphError) -> String {
            guard let values = field.modifiers[name], values.count == 1 else {
                throw .invalidParameter("\(kind.rawValue) requires \(name)")
            }
            return values[0]
        }
        func list(_ name: String) -> [String] { field.modifiers[name] ?? [] }

        guard let start = Int64(try one("start")), let end = Int64(try one("end")) else {
            throw .invalidParameter("start and end must be Unix timestamps")
        }
        guard end > start else { throw .invalidParameter("end must be after start") }
        let granularityName = try one("granularity").uppercased()
        let granularity: InsightsGranularity
        switch (kind, granularityName) {
        case (.analytics, "DAY"), (.conversationAnalytics, "DAILY"), (.pricingAnalytics, "DAILY"),
            (.callAnalytics, "DAILY"):
            granularity = .day
        case (.analytics, "MONTH"), (.conversationAnalytics, "MONTHLY"), (.pricingAnalytics, "MONTHLY"),
            (.callAnalytics, "MONTHLY"):
            granularity = .month
        case (_, "HALF_HOUR"):
            guard end - start <= Int64(InsightsQuery.maximumHalfHourDays) * 86_400 else {
                throw .invalidParameter(
                    "HALF_HOUR granularity covers at most \(InsightsQuery.maximumHalfHourDays) days; ask for DAILY")
            }
            granularity = .halfHour
        default:
            let expected = kind == .analytics ? "HALF_HOUR, DAY, MONTH" : "HALF_HOUR, DAILY, MONTHLY"
            throw .invalidParameter("granularity of \(kind.rawValue) must be one of \(expected)")
        }
        if !list("product_types").isEmpty {
            throw .invalidParameter("product_types is not supported by wameter: it does not tell templates apart")
        }

        var request = GraphAnalyticsRequest(
            field: kind, start: start, end: end, granularityName: granularityName, granularity: granularity,
            phoneNumbers: list("phone_numbers"), countryCodes: list("country_codes").map { $0.uppercased() },
            metricTypes: Set(list("metric_types").map { $0.uppercased() }), dimensions: [], filters: [:])
        let allowedMetrics: Set<String> =
            switch kind {
            case .analytics: []
            case .conversationAnalytics: ["COST", "CONVERSATION"]
            case .pricingAnalytics: ["COST", "VOLUME"]
            case .callAnalytics: ["COUNT", "COST", "AVERAGE_DURATION"]
            }
        for metric in request.metricTypes.sorted() where !allowedMetrics.contains(metric) {
            throw .invalidParameter("unknown metric_types value \(echoed(metric))")
        }
        for name in list("dimensions") {
            guard let dimension = GraphNames.dimension(name, of: kind) else {
                throw .invalidParameter("unknown dimensions value \(echoed(name)) for \(kind.rawValue)")
            }
            if !request.dimensions.contains(dimension) { request.dimensions.append(dimension) }
        }
        if !request.countryCodes.isEmpty { request.filters[.country] = Set(request.countryCodes) }
        let categories = list("conversation_categories") + list("pricing_categories")
        if !categories.isEmpty { request.filters[.category] = Set(categories.flatMap(GraphNames.categories)) }
        let types = list("conversation_types") + list("pricing_types")
        if !types.isEmpty {
            var kept = Set<String>()
            for type in types {
                guard let value = GraphNames.pricingType(type) else {
                    throw .invalidParameter("unknown type \(echoed(type))")
                }
                kept.insert(value)
            }
            request.filters[.pricingType] = kept
        }
        if !list("tiers").isEmpty { request.filters[.tier] = Set(list("tiers")) }
        let directions = (list("conversation_directions") + list("directions")).map { $0.lowercased() }
        if !directions.isEmpty { request.filters[.direction] = Set(directions) }
        // Each field counts its own unit: conversation_analytics conversations, the others messages
        // (and pricing_analytics only messages priced per message).
        switch kind {
        case .analytics:
            request.filters[.kind] = ["message"]
        case .conversationAnalytics:
            request.filters[.kind] = ["conversation"]
        case .pricingAnalytics:
            request.filters[.kind] = ["message"]
            let priced: Set<String> = [
                InsightsPricingType.regular, InsightsPricingType.freeCustomerService,
                InsightsPricingType.freeEntryPoint,
            ]
            request.filters[.pricingType] = request.filters[.pricingType].map { $0.intersection(priced) } ?? priced
        case .callAnalytics:
            request.filters[.kind] = ["call"]
        }
        return request
    }

    /// The insights query for an account in `calendar`'s time zone: the local days `start` and
    /// `end` fall on (wameter counts in whole local days). Phone numbers are passed as given: the
    /// insights match display numbers as well as ids.
    public func query(calendar: BillingCalendar) -> InsightsQuery {
        var filters = self.filters
        if !phoneNumbers.isEmpty { filters[.phone] = Set(phoneNumbers) }
        return InsightsQuery(
            from: calendar.day(of: start), to: calendar.day(of: end - 1), granularity: granularity,
            dimensions: dimensions, filters: InsightsFilters(filters))
    }
}

/// How Meta's analytics spell wameter's values.
enum GraphNames {
    static func dimension(_ name: String, of field: GraphAnalyticsRequest.Field) -> InsightsDimension? {
        switch (field, name.uppercased()) {
        case (_, "COUNTRY"): .country
        case (_, "PHONE"): .phone
        case (.conversationAnalytics, "CONVERSATION_CATEGORY"), (.pricingAnalytics, "PRICING_CATEGORY"): .category
        case (.conversationAnalytics, "CONVERSATION_TYPE"), (.pricingAnalytics, "PRICING_TYPE"): .pricingType
        case (.conversationAnalytics, "CONVERSATION_DIRECTION"): .direction
        case (.pricingAnalytics, "TIER"), (.callAnalytics, "TIER"): .tier
        case (.callAnalytics, "DIRECTION"): .direction
        default: nil
        }
    }

    /// The ledger's categories a Meta category stands for: Meta's analytics show free entry point
    /// messages as `SERVICE` (reference §9.3), and both spellings of authentication-international
    /// occur in webhooks.
    static func categories(_ name: String) -> [String] {
        let lower = name.lowercased()
        switch lower {
        case "service": return ["service", "referral_conversion"]
        case "authentication_international": return ["authentication_international", "authentication-international"]
        default: return [lower]
        }
    }

    /// Meta's name of a ledger category.
    static func category(_ category: String) -> String {
        switch category {
        case "referral_conversion": "SERVICE"
        case "": "UNKNOWN"
        default: category.uppercased().replacingOccurrences(of: "-", with: "_")
        }
    }

    /// wameter's pricing type for Meta's `conversation_types` and `pricing_types` values.
    static func pricingType(_ name: String) -> String? {
        switch name.uppercased() {
        case "REGULAR": InsightsPricingType.regular
        case "FREE_ENTRY", "FREE_ENTRY_POINT": InsightsPricingType.freeEntryPoint
        case "FREE_TIER": InsightsPricingType.freeTier
        case "FREE_CUSTOMER_SERVICE", "FREE_GROUP_CUSTOMER_SERVICE": InsightsPricingType.freeCustomerService
        default: nil
        }
    }
}
