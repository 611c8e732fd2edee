import Foundation
import WhatsAppWebhook

/// An error in Meta's Graph API layout: `{"error":{"message","type","code","error_subcode"}}`.
public struct MetaGraphError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var type: String
    public var code: Int
    public var subcode: Int?

    public init(message: String, type: String = "OAuthException", code: Int, subcode: Int? = nil) {
        self.message = message
        self.type = type
        self.code = code
        self.subcode = subcode
    }

    /// Code 190: the token expired, was revoked or is not a token; retrying cannot help.
    public var isTokenProblem: Bool { code == 190 || code == 102 }
    /// Graph's throttling codes (application, user, page, custom and WhatsApp Business limits):
    /// worth retrying after a pause, like HTTP 429.
    public var isThrottling: Bool { [4, 17, 32, 613, 80007, 80008].contains(code) }
    /// Meta hides cost from businesses billed through a Solution Partner (reference §9.2, 2023-07-01):
    /// asking for `COST` is refused, asking for volume alone works.
    public var isCostUnavailable: Bool {
        let text = message.lowercased()
        return text.contains("cost") && text.contains("not available")
    }

    public var description: String {
        var text = "\(message) (\(type), code \(code)"
        if let subcode { text += ", subcode \(subcode)" }
        return text + ")"
    }

    /// The error a Graph response carries, if it is one.
    public static func of(_ json: JSONValue) -> MetaGraphError? {
        guard let error = json["error"] else { return nil }
        return MetaGraphError(
            message: error["message"]?.text ?? "Meta answered an error without a message",
            type: error["type"]?.text ?? "OAuthException",
            code: error["code"]?.numberText.flatMap { Int($0) } ?? 0,
            subcode: error["error_subcode"]?.numberText.flatMap { Int($0) })
    }
}

/// One page of Meta's answer to an analytics field: its data points as cells and the link to the
/// next page. Meta answers a field on the account node as `{"<field>": {"data": [{"data_points":
/// […]}], "paging": {…}}, "id": …}`; the `next` link it gives is the field's edge, which answers
/// `{"data": […], "paging": {…}}`. Both are read, as is a saved page of either kind.
public struct MetaAnalyticsPage: Sendable, Equatable {
    public var field: GraphAnalyticsRequest.Field
    public var cells: AnalyticsCells
    /// Data points read (a cell may hold several, e.g. one per tier).
    public var points: Int
    /// Whether any data point carried `cost`.
    public var showsCost: Bool
    public var next: String?

    /// Why a response could not be read.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Reads one page. `field` is the field asked for; `nil` reads it from the page (its key, or the
    /// figures its points carry), for saved files. `calendar` turns each point's `start` into the
    /// account's local day.
    public static func read(
        _ json: JSONValue, field expected: GraphAnalyticsRequest.Field?, calendar: BillingCalendar
    ) throws -> MetaAnalyticsPage {
        if let error = MetaGraphError.of(json) { throw error }
        var field = expected
        var body = json
        for candidate in GraphAnalyticsRequest.Field.allCases where candidate != .analytics {
            if let inner = json[candidate.rawValue] {
                if let expected, expected != candidate {
                    throw Problem(
                        description: "the response answers \(candidate.rawValue), not \(expected.rawValue)")
                }
                field = candidate
                body = inner
            }
        }
        var rawPoints: [JSONValue] = body["data_points"]?.array ?? []
        if let data = body["data"] {
            guard let entries = data.array else { throw Problem(description: "data is not a list") }
            for entry in entries { rawPoints += entry["data_points"]?.array ?? [] }
        } else if body["data_points"] == nil {
            throw Problem(description: "no data or data_points: not an analytics response")
        }
        if field == nil { field = Self.field(guessedFrom: rawPoints) }
        guard let field else {
            throw Problem(
                description: "cannot tell which analytics field this is: no pricing_analytics, "
                    + "conversation_analytics or call_analytics key and no data points")
        }
        var cells = AnalyticsCells(field: field)
        var showsCost = false
        for (index, point) in rawPoints.enumerated() {
            guard let start = point["start"]?.numberText.flatMap({ Int64($0) }) else {
                throw Problem(description: "data point \(index + 1) has no start")
            }
            let unitsName =
                switch field {
                case .analytics: "delivered"
                case .pricingAnalytics: "volume"
                case .conversationAnalytics: "conversation"
                case .callAnalytics: "count"
                }
            let units = point[unitsName]?.numberText.flatMap { Int($0) } ?? 0
            var cost: Decimal?
            if let text = point["cost"]?.numberText {
                guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
                    throw Problem(description: "data point \(index + 1) has cost \(text), not a number")
                }
                cost = value
                showsCost = true
            }
            let text = { (name: String) in point[name]?.text ?? "" }
            let key = AnalyticsCellKey(
                day: calendar.day(of: start),
                phone: AnalyticsCellKey.phoneDigits(text("phone_number")),
                country: text("country").uppercased(),
                category: (field == .pricingAnalytics ? text("pricing_category") : text("conversation_category"))
                    .uppercased(),
                type: field == .callAnalytics
                    ? text("direction").uppercased()
                    : Self.typeName(field == .pricingAnalytics ? text("pricing_type") : text("conversation_type")))
            let tier = text("tier")
            cells.add(key, AnalyticsFigures(units: units, cost: cost, tiers: tier.isEmpty ? [] : [tier]))
        }
        let next = body["paging"]?["next"]?.text
        return MetaAnalyticsPage(field: field, cells: cells, points: rawPoints.count, showsCost: showsCost, next: next)
    }

    /// Meta's spellings of a pricing type as wameter's (`FREE_ENTRY` and `FREE_ENTRY_POINT` are one).
    private static func typeName(_ name: String) -> String {
        (GraphNames.pricingType(name) ?? name).uppercased()
    }

    private static func field(guessedFrom points: [JSONValue]) -> GraphAnalyticsRequest.Field? {
        for point in points {
            if point["volume"] != nil || point["pricing_category"] != nil { return .pricingAnalytics }
            if point["conversation"] != nil || point["conversation_category"] != nil { return .conversationAnalytics }
            if point["count"] != nil || point["average_duration"] != nil { return .callAnalytics }
        }
        return nil
    }
}
