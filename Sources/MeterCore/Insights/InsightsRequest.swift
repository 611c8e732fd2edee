import Foundation

/// An insights query as the CLI and the HTTP API receive it, as text; `query()` checks all of it
/// at once and says every problem, so both front ends give the same answers to the same mistakes.
public struct InsightsRequest: Sendable {
    /// `YYYY-MM-DD`, or `YYYY-MM` for the month's first day; or a time (`2026-02-03T10:30+05:30`,
    /// `…Z`) on a half-hour.
    public var from: String
    /// `YYYY-MM-DD` (inclusive), or `YYYY-MM` for the month's last day; `nil`: the last day of
    /// `from`'s month. A time (excluded) when `from` is one.
    public var to: String?
    public var granularity: String?
    /// Dimension names; each entry may hold several, comma-separated.
    public var by: [String]
    /// Kept values per dimension name (`phone`, `country`, …); each entry may hold several,
    /// comma-separated.
    public var filters: [String: [String]]

    public init(
        from: String, to: String? = nil, granularity: String? = nil, by: [String] = [],
        filters: [String: [String]] = [:]
    ) {
        self.from = from
        self.to = to
        self.granularity = granularity
        self.by = by
        self.filters = filters
    }

    public func query() throws(InsightsRequestError) -> InsightsQuery {
        if from.contains("T") || (to?.contains("T") ?? false) { return try timedQuery() }
        return try query(instants: nil)
    }

    /// A time as the half-hour labels write it: `2026-02-03T10:30+05:30`, or `…Z` for UTC; seconds
    /// (`:00`) allowed. The UTC epoch second, or `nil`.
    public static func instant(_ text: String) -> Int64? {
        var label = text
        if label.hasSuffix("Z") || label.hasSuffix("z") { label = String(label.dropLast()) + "+00:00" }
        // `2026-02-03T10:30:00+05:30`: whole minutes only.
        if label.count == 25, Array(label.utf8)[16] == UInt8(ascii: ":"), label.dropFirst(17).hasPrefix("00") {
            label = String(label.prefix(16)) + String(label.dropFirst(19))
        }
        return HalfHourLabel.parse(label)
    }

    /// `from` and `to` given as times: the half-hours from `from` up to `to` (excluded).
    private func timedQuery() throws(InsightsRequestError) -> InsightsQuery {
        var problems: [String] = []
        let example = "YYYY-MM-DDTHH:MM with its offset (2026-02-03T10:30+05:30) or Z"
        guard let to else {
            throw InsightsRequestError(problems: ["a period given as times needs to, as a time too (\(example))"])
        }
        let start = Self.instant(from)
        let end = Self.instant(to)
        if start == nil { problems.append("from must be a date or a time, \(example); got \"\(echoed(from))\"") }
        if end == nil { problems.append("to must be a time like from, \(example); got \"\(echoed(to))\"") }
        for (name, instant) in [("from", start), ("to", end)] where (instant ?? 0) % 1_800 != 0 {
            problems.append("\(name) must be on a half-hour (:00 or :30 UTC): wameter counts by the half-hour")
        }
        if let start, let end {
            if end <= start {
                problems.append("to (\(echoed(to))) is not after from (\(echoed(from)))")
            } else if end - start > Int64(InsightsQuery.maximumHalfHourDays) * 86_400 {
                problems.append(
                    "a period given as times covers at most \(InsightsQuery.maximumHalfHourDays) days; use dates for longer"
                )
            }
        }
        guard problems.isEmpty, let start, let end else { throw InsightsRequestError(problems: problems) }
        let days = try query(instants: start..<end)
        return days
    }

    /// The query, with `from`/`to` as dates, or (with `instants`) the granularity, breakdowns and
    /// filters of a query over those instants.
    private func query(instants: Range<Int64>?) throws(InsightsRequestError) -> InsightsQuery {
        var problems: [String] = []
        let to = self.to ?? String(from.prefix(7))
        let timed = instants.map { InsightsQuery(instants: $0) }
        let first = timed?.from ?? Self.day(from, end: false)
        let last = timed?.to ?? Self.day(to, end: true)
        if first == nil { problems.append("from must be YYYY-MM-DD or YYYY-MM, got \"\(echoed(from))\"") }
        if last == nil { problems.append("to must be YYYY-MM-DD or YYYY-MM, got \"\(echoed(to))\"") }
        if timed == nil, let first, let last {
            if last < first {
                problems.append("to (\(echoed(to))) is before from (\(echoed(from)))")
            } else if BillingCalendar.daysSinceEpoch(of: last) - BillingCalendar.daysSinceEpoch(of: first)
                >= InsightsQuery.maximumDays
            {
                problems.append("the period is longer than \(InsightsQuery.maximumDays) days")
            }
        }

        var granularity = InsightsGranularity.total
        if let text = self.granularity {
            if let parsed = InsightsGranularity(rawValue: text.lowercased()) {
                granularity = parsed
            } else {
                problems.append(
                    "granularity must be one of \(InsightsGranularity.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(echoed(text))\""
                )
            }
        }

        if granularity == .halfHour, timed == nil, let first, let last,
            BillingCalendar.daysSinceEpoch(of: last) - BillingCalendar.daysSinceEpoch(of: first)
                >= InsightsQuery.maximumHalfHourDays
        {
            problems.append(
                "half_hour granularity covers at most \(InsightsQuery.maximumHalfHourDays) days; use day for longer periods"
            )
        }

        var dimensions: [InsightsDimension] = []
        for name in Self.split(by) {
            if let dimension = Self.dimension(named: name) {
                dimensions.append(dimension)
            } else {
                problems.append("unknown dimension \"\(echoed(name))\" (\(Self.dimensionNames))")
            }
        }

        var kept = InsightsFilters()
        for (name, values) in filters.sorted(by: { $0.key < $1.key }) {
            guard let dimension = Self.dimension(named: name) else {
                problems.append("unknown filter \"\(echoed(name))\" (\(Self.dimensionNames))")
                continue
            }
            let values = Self.split(values).map { Self.normalised($0, for: dimension) }
            guard !values.isEmpty else { continue }
            for value in values where !Self.isKnown(value, for: dimension) {
                problems.append(
                    "unknown \(dimension.rawValue) \"\(echoed(value))\" (\(Self.knownValues(for: dimension)))")
            }
            kept.values[dimension, default: []].formUnion(values)
        }

        guard problems.isEmpty, let first, let last else { throw InsightsRequestError(problems: problems) }
        var query = InsightsQuery(
            from: first, to: last, granularity: granularity, dimensions: dimensions, filters: kept)
        query.instants = instants
        return query
    }

    static var dimensionNames: String { "dimensions: " + dimensionList }

    /// Every dimension's name, for help and error texts.
    public static var dimensionList: String { InsightsDimension.allCases.map(\.rawValue).joined(separator: ", ") }

    /// A dimension by its name, its JSON field name, or a plural as people type them.
    public static func dimension(named name: String) -> InsightsDimension? {
        let name = name.lowercased().replacingOccurrences(of: "-", with: "_")
        if let dimension = InsightsDimension(rawValue: name) { return dimension }
        switch name {
        case "accounts": return .account
        case "phone_number", "phone_numbers", "phone_number_id", "phones": return .phone
        case "countries", "country_code", "country_codes": return .country
        case "markets": return .market
        case "categories", "message_type", "type", "pricing_category": return .category
        case "pricing_types": return .pricingType
        case "directions", "conversation_direction": return .direction
        case "kinds", "unit": return .kind
        case "tiers", "volume_tier": return .tier
        default: return nil
        }
    }

    public static func split(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
    }

    static func normalised(_ value: String, for dimension: InsightsDimension) -> String {
        switch dimension {
        case .country: value.uppercased()
        case .category, .pricingType, .direction, .kind: value.lowercased()
        case .account, .phone, .market, .tier: value
        }
    }

    /// Values outside a closed list are mistakes; accounts, phone numbers, countries, markets and
    /// categories are open (an unknown one simply matches nothing, as Meta's filters do).
    static func isKnown(_ value: String, for dimension: InsightsDimension) -> Bool {
        switch dimension {
        case .pricingType: InsightsPricingType.all.contains(value)
        case .direction: InsightsDirection.all.contains(value)
        case .kind: value == "message" || value == "conversation"
        case .country: value.count == 2 && value.allSatisfy { $0.isASCII && $0.isLetter }
        default: true
        }
    }

    static func knownValues(for dimension: InsightsDimension) -> String {
        switch dimension {
        case .pricingType: "one of " + InsightsPricingType.all.joined(separator: ", ")
        case .direction: "one of " + InsightsDirection.all.joined(separator: ", ")
        case .kind: "message or conversation"
        case .country: "an ISO 3166 alpha-2 code such as IN"
        default: ""
        }
    }

    /// `YYYY-MM-DD`, or `YYYY-MM` as its first (or, for an end, last) day.
    static func day(_ text: String, end: Bool) -> DayKey? {
        if let day = DayKeys.parse(text) { return day }
        guard text.count == 7, let month = YearMonth(text) else { return nil }
        return end ? month.lastDay : month.firstDay
    }
}

/// Everything wrong with an insights request, each problem in words.
public struct InsightsRequestError: Error, Equatable, CustomStringConvertible {
    public var problems: [String]

    public init(problems: [String]) {
        self.problems = problems
    }

    /// The first ten problems, and how many more there are: a request with thousands of bad values
    /// gets a short answer.
    public var description: String {
        let shown = problems.prefix(10).joined(separator: "; ")
        return problems.count > 10 ? shown + "; and \(problems.count - 10) more" : shown
    }
}
