/// How finely an insights query splits its period.
public enum InsightsGranularity: String, Sendable, CaseIterable {
    /// One row group per half-hour (UTC half-hours, labelled in the account's local time), from the
    /// half-hour counters; at most `InsightsQuery.maximumHalfHourDays` days.
    case halfHour = "half_hour"
    /// One row group per local day.
    case day
    /// One per billing month (each account's local month).
    case month
    /// The whole period at once.
    case total
}

/// What an insights query can break its figures down by (and filter on). Raw values are the
/// contract's names (`--by`, `by=`, the JSON and CSV field names).
public enum InsightsDimension: String, Sendable, CaseIterable, Comparable {
    case account
    /// The business phone number's id (`metadata.phone_number_id`).
    case phone
    /// The recipient's (or, for received messages, the sender's) ISO country.
    case country
    /// The rate card's market for that country on that day.
    case market
    /// The pricing category (message type): marketing, utility, authentication, service, …
    case category
    /// Why a unit was charged or free (`InsightsPricingType`).
    case pricingType = "pricing_type"
    /// Business- or user-initiated, from the category (`InsightsDirection`).
    case direction
    /// `message` or `conversation`: which unit a figure counts (conversations are the billing
    /// unit before July 2025).
    case kind
    /// The volume tier a charged utility or authentication message was priced at (`1001:10000`, as
    /// the rate card's tier table has it); empty for everything else.
    case tier

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The name the JSON and CSV give the dimension's value (`phone` is `phone_number_id` there).
    public var fieldName: String {
        switch self {
        case .phone: "phone_number_id"
        default: rawValue
        }
    }
}

/// Why a delivered unit was charged or free, in Meta's analytics terms.
public enum InsightsPricingType {
    /// Charged: a per-message-priced message, or a conversation not covered by a free tier.
    public static let regular = "regular"
    /// A message delivered free as customer service (`free_customer_service`,
    /// `free_group_customer_service`).
    public static let freeCustomerService = "free_customer_service"
    /// A message or conversation in a free entry point window.
    public static let freeEntryPoint = "free_entry_point"
    /// A conversation covered by the month's free tier (CBP; from 2024-11-01 every service
    /// conversation).
    public static let freeTier = "free_tier"
    /// A delivered message with no per-message pricing type: priced by its conversation (before
    /// July 2025), or its webhook said nothing.
    public static let none = "none"

    public static let all = [regular, freeCustomerService, freeEntryPoint, freeTier, none]
}

/// Who started the traffic, from its category as Meta's `conversation_direction` does.
public enum InsightsDirection {
    public static let businessInitiated = "business_initiated"
    public static let userInitiated = "user_initiated"
    public static let unknown = "unknown"

    public static let all = [businessInitiated, userInitiated, unknown]

    public static func of(category: String) -> String {
        switch category {
        case "marketing", "marketing_lite", "utility", "authentication", "authentication_international",
            "authentication-international", "business_initiated":
            businessInitiated
        case "service", "user_initiated", "referral_conversion":
            userInitiated
        default:
            unknown
        }
    }
}

/// Values a query keeps, per dimension; a dimension with no entry is not filtered.
public struct InsightsFilters: Sendable, Equatable {
    public var values: [InsightsDimension: Set<String>] = [:]

    public init(_ values: [InsightsDimension: Set<String>] = [:]) {
        self.values = values
    }

    public func keeps(_ dimension: InsightsDimension, _ value: String) -> Bool {
        values[dimension]?.contains(value) ?? true
    }
}

/// An insights query over accounts already chosen: local days `from...to` (each account's own
/// days), split by `granularity` and broken down by `dimensions`, keeping what `filters` keep.
public struct InsightsQuery: Sendable, Equatable {
    public var from: DayKey
    public var to: DayKey
    public var granularity: InsightsGranularity
    /// In the order given, without repeats.
    public var dimensions: [InsightsDimension]
    public var filters: InsightsFilters
    /// Also answer each account's month-end forecast for its current month (`forecast=true`,
    /// `--forecast`): a report per account, so only when asked.
    public var forecast = false
    /// A period given as times: the instants from `lowerBound` (included) to `upperBound`
    /// (excluded), UTC epoch seconds on half-hour boundaries (wameter counts by the half-hour).
    /// `from`...`to` are then the local days that may hold them in any time zone; only the
    /// half-hours in the range count.
    public var instants: Range<Int64>?

    /// The longest period one query may span, in days: ten years, so that a typo in a year is an
    /// error instead of a query over centuries.
    public static let maximumDays = 3_660

    /// The longest period a `half_hour` query may span, in days (48 rows per day and breakdown).
    public static let maximumHalfHourDays = 31

    public init(
        from: DayKey, to: DayKey, granularity: InsightsGranularity = .total, dimensions: [InsightsDimension] = [],
        filters: InsightsFilters = InsightsFilters()
    ) {
        self.from = from
        self.to = to
        self.granularity = granularity
        var seen = Set<InsightsDimension>()
        self.dimensions = dimensions.filter { seen.insert($0).inserted }
        self.filters = filters
    }

    /// The billing months the period touches.
    public var months: [YearMonth] {
        var months: [YearMonth] = []
        var month = YearMonth(containing: from)
        let last = YearMonth(containing: to)
        while month <= last {
            months.append(month)
            month = month.next
        }
        return months
    }

    /// The label of the period group a day falls in (for `half_hour`, `HalfHourLabel` names the
    /// half-hour instead).
    func period(of day: DayKey) -> String {
        switch granularity {
        case .day, .halfHour: DayKeys.format(day)
        case .month: YearMonth(containing: day).description
        case .total: periodLabel
        }
    }

    /// The whole period: `2026-02-03T04:30Z..2026-02-03T12:30Z` for times, `FROM..TO` for days.
    var periodLabel: String {
        instants.map { "\(Self.utcLabel($0.lowerBound))..\(Self.utcLabel($0.upperBound))" }
            ?? "\(DayKeys.format(from))..\(DayKeys.format(to))"
    }

    /// A query over the instants `range` (half-hour multiples): the local days that may hold them,
    /// in any time zone (UTC−12 to UTC+14).
    public init(
        instants range: Range<Int64>, granularity: InsightsGranularity = .total, dimensions: [InsightsDimension] = [],
        filters: InsightsFilters = InsightsFilters()
    ) {
        self.init(
            from: BillingCalendar.utc.day(of: range.lowerBound - 12 * 3_600),
            to: BillingCalendar.utc.day(of: range.upperBound - 1 + 14 * 3_600), granularity: granularity,
            dimensions: dimensions, filters: filters)
        instants = range
    }

    /// `2026-02-03T04:30Z`.
    static func utcLabel(_ instant: Int64) -> String {
        HalfHourLabel.format(instant, in: .utc).replacingOccurrences(of: "+00:00", with: "Z")
    }
}
