import Foundation

/// One cell of a reconciliation: a local day and the dimensions Meta's analytics break a month
/// down by, each spelled as Meta spells it, so that a data point from Meta and a row of wameter's
/// insights land on the same key.
public struct AnalyticsCellKey: Hashable, Sendable, Comparable {
    /// The account's local day the data point starts on.
    public var day: DayKey
    /// The business phone number's digits (Meta's analytics show display numbers; the webhooks'
    /// `display_phone_number` may carry a `+`, spaces or dashes). The phone number id when wameter
    /// never learnt a display number.
    public var phone: String
    /// ISO 3166 alpha-2, upper case; empty when the point has none.
    public var country: String
    /// `MARKETING`, `UTILITY`, …; empty for calls.
    public var category: String
    /// `REGULAR`, `FREE_TIER`, `FREE_ENTRY_POINT`, `FREE_CUSTOMER_SERVICE`; a call's direction.
    public var type: String

    public init(day: DayKey, phone: String, country: String, category: String, type: String) {
        self.day = day
        self.phone = phone
        self.country = country
        self.category = category
        self.type = type
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.day, lhs.phone, lhs.country, lhs.category, lhs.type)
            < (rhs.day, rhs.phone, rhs.country, rhs.category, rhs.type)
    }

    /// The digits of a phone number as written anywhere (`+1 555-045-8206` → `15550458206`), as the
    /// insights' phone filter compares them; the text itself when it has none.
    public static func phoneDigits(_ text: String) -> String {
        let digits = BusinessPhoneNumber.digits(text)
        return digits.isEmpty ? text : digits
    }
}

/// What one side says about a cell: units (messages, conversations or calls, by the field), cost
/// when shown, the volume tiers the units were priced in, and (wameter's side) units without a rate.
public struct AnalyticsFigures: Sendable, Equatable {
    public var units: Int
    /// `nil`: not shown (Meta hides cost from partner-billed businesses; wameter leaves it out when
    /// some units have no rate).
    public var cost: Decimal?
    /// Tier labels such as `0:750000`, sorted; empty when the units were priced outside a tier table.
    public var tiers: [String]
    public var unrated: Int

    public init(units: Int = 0, cost: Decimal? = nil, tiers: [String] = [], unrated: Int = 0) {
        self.units = units
        self.cost = cost
        self.tiers = tiers
        self.unrated = unrated
    }

    /// Adds another data point of the same cell (Meta splits a cell by tier; so does wameter).
    mutating func add(_ other: AnalyticsFigures) {
        units += other.units
        cost = cost.map { total in other.cost.map { total + $0 } ?? total } ?? other.cost
        tiers = Array(Set(tiers + other.tiers)).sorted()
        unrated += other.unrated
    }
}

/// The cells of one analytics field, from either side.
public struct AnalyticsCells: Sendable, Equatable {
    public var field: GraphAnalyticsRequest.Field
    public var cells: [AnalyticsCellKey: AnalyticsFigures]

    public init(field: GraphAnalyticsRequest.Field, cells: [AnalyticsCellKey: AnalyticsFigures] = [:]) {
        self.field = field
        self.cells = cells
    }

    public mutating func add(_ key: AnalyticsCellKey, _ figures: AnalyticsFigures) {
        if cells[key] == nil { cells[key] = figures } else { cells[key]!.add(figures) }
    }

    public var units: Int { cells.values.reduce(0) { $0 + $1.units } }
    /// The sum of the costs shown, or `nil` when no cell shows one.
    public var cost: Decimal? {
        let shown = cells.values.compactMap(\.cost)
        return shown.isEmpty ? nil : shown.reduce(0, +)
    }
    public var unrated: Int { cells.values.reduce(0) { $0 + $1.unrated } }

    /// wameter's answer to `request`, cell by cell: the insights rows of its query (by day, with the
    /// request's dimensions) named as Meta names them (the same names wameter's own Graph route
    /// answers with).
    public init(_ result: InsightsResult, request: GraphAnalyticsRequest) {
        self.init(field: request.field)
        let dimensions = result.query.dimensions
        for row in result.rows {
            guard let day = DayKeys.parse(row.period) else { continue }
            var key = AnalyticsCellKey(day: day, phone: "", country: "", category: "", type: "")
            var tiers: [String] = []
            for (dimension, value) in zip(dimensions, row.values) {
                switch dimension {
                case .phone: key.phone = AnalyticsCellKey.phoneDigits(result.displayNumbers[value] ?? value)
                case .country: key.country = value.uppercased()
                case .category: key.category = GraphNames.category(value)
                case .pricingType, .direction: key.type = value.uppercased()
                case .tier: if !value.isEmpty { tiers = [value] }
                case .account, .market, .kind: break
                }
            }
            let m = row.metrics
            let figures: AnalyticsFigures
            switch request.field {
            case .analytics, .pricingAnalytics:
                figures = AnalyticsFigures(units: m.messagesDelivered, cost: m.cost, tiers: tiers, unrated: m.unrated)
            case .conversationAnalytics:
                figures = AnalyticsFigures(
                    units: m.conversationsDelivered, cost: m.cost, tiers: tiers, unrated: m.unrated)
            case .callAnalytics:
                figures = AnalyticsFigures(units: m.calls, cost: m.callCost, tiers: tiers, unrated: m.unrated)
            }
            guard figures.units > 0 else { continue }
            add(key, figures)
        }
    }
}
