import MeterCore
import Testing

/// The insights parameters as the CLI and the API take them: periods, granularities, dimension
/// names people type, and every mistake named at once.
@Suite("Insights requests")
struct InsightsRequestTests {
    @Test("months stand for their first and last days; lists may be comma-separated or repeated")
    func periodsAndLists() throws {
        let query = try InsightsRequest(
            from: "2026-02", to: "2026-02", granularity: "DAY", by: ["phone,country", "category", "phone"],
            filters: ["country": ["in,br"], "pricing_type": ["Regular"], "phone_numbers": ["111"]]
        ).query()
        #expect(query.from == 20260201)
        #expect(query.to == 20260228)
        #expect(query.granularity == .day)
        #expect(query.dimensions == [.phone, .country, .category])
        #expect(query.filters.values[.country] == ["IN", "BR"])
        #expect(query.filters.values[.pricingType] == ["regular"])
        #expect(query.filters.values[.phone] == ["111"])
        #expect(query.months == [YearMonth(year: 2026, month: 2)])
    }

    @Test("half_hour: at most 31 days")
    func halfHourPeriods() throws {
        #expect(try InsightsRequest(from: "2026-01", granularity: "half_hour").query().granularity == .halfHour)
        #expect(
            throws: InsightsRequestError(problems: [
                "half_hour granularity covers at most 31 days; use day for longer periods"
            ])
        ) {
            try InsightsRequest(from: "2026-01-01", to: "2026-02-01", granularity: "HALF_HOUR").query()
        }
    }

    @Test("times: with an offset or Z, on half-hours, from before to, at most 31 days; the days any zone may hold")
    func periodsAsTimes() throws {
        let query = try InsightsRequest(from: "2026-02-03T10:30+05:30", to: "2026-02-03T12:00:00Z", granularity: "day")
            .query()
        #expect(query.instants == 1_770_094_800..<1_770_120_000)
        // 05:00 UTC is still the 2nd in UTC−12; 12:00 UTC is already the 4th in UTC+14.
        #expect(query.from == 2026_02_02 && query.to == 2026_02_04)
        #expect(query.granularity == .day)
        #expect(InsightsRequest.instant("2026-02-03T10:45+05:45") == InsightsRequest.instant("2026-02-03T05:00Z"))
        #expect(InsightsRequest.instant("2026-02-03T10:30:15Z") == nil)
        #expect(InsightsRequest.instant("2026-02-03 10:30Z") == nil)
        func problems(_ from: String, _ to: String?) -> [String] {
            do {
                _ = try InsightsRequest(from: from, to: to).query()
                return []
            } catch {
                return error.problems
            }
        }
        #expect(
            problems("2026-02-03T10:00Z", nil) == [
                "a period given as times needs to, as a time too (YYYY-MM-DDTHH:MM with its offset (2026-02-03T10:30+05:30) or Z)"
            ])
        #expect(
            problems("2026-02-03T10:10Z", "2026-02-03T11:00Z") == [
                "from must be on a half-hour (:00 or :30 UTC): wameter counts by the half-hour"
            ])
        #expect(
            problems("2026-02-03T10:00Z", "2026-02-03T10:00Z") == [
                "to (2026-02-03T10:00Z) is not after from (2026-02-03T10:00Z)"
            ])
        #expect(
            problems("2026-02-01T00:00Z", "2026-03-05T00:00Z") == [
                "a period given as times covers at most 31 days; use dates for longer"
            ])
        #expect(problems("2026-02-01T00:00Z", "2026-02-03").first?.hasPrefix("to must be a time like from") == true)
        #expect(problems("2026-02-01", "2026-02-03T00:00Z").first?.hasPrefix("from must be a date or a time") == true)
    }

    @Test("a period across a year end touches each month once")
    func months() throws {
        let query = try InsightsRequest(from: "2025-11-15", to: "2026-02-03").query()
        #expect(query.months.map(\.description) == ["2025-11", "2025-12", "2026-01", "2026-02"])
        #expect(query.granularity == .total)
    }

    @Test("every mistake is named, in one error")
    func mistakes() {
        #expect(
            throws: InsightsRequestError(problems: [
                "from must be YYYY-MM-DD or YYYY-MM, got \"2026-02-30\"",
                "granularity must be one of half_hour, day, month, total, got \"hourly\"",
                "unknown dimension \"colour\" (dimensions: account, phone, country, market, category, pricing_type, direction, kind, tier)",
                "unknown pricing_type \"paid\" (one of regular, free_customer_service, free_entry_point, free_tier, none)",
            ])
        ) {
            try InsightsRequest(
                from: "2026-02-30", to: "2026-03", granularity: "hourly", by: ["colour"],
                filters: ["pricing_type": ["paid"]]
            ).query()
        }
        #expect(throws: InsightsRequestError(problems: ["to (2026-01-31) is before from (2026-02-01)"])) {
            try InsightsRequest(from: "2026-02-01", to: "2026-01-31").query()
        }
        #expect(throws: InsightsRequestError(problems: ["the period is longer than 3660 days"])) {
            try InsightsRequest(from: "2000-01", to: "2026-01").query()
        }
        #expect(
            throws: InsightsRequestError(problems: [
                "unknown country \"IND\" (an ISO 3166 alpha-2 code such as IN)"
            ])
        ) {
            try InsightsRequest(from: "2026-01", to: "2026-01", filters: ["country": ["ind"]]).query()
        }
    }

    @Test("direction comes from the category, as in Meta's conversation analytics")
    func directions() {
        #expect(InsightsDirection.of(category: "marketing") == "business_initiated")
        #expect(InsightsDirection.of(category: "authentication-international") == "business_initiated")
        #expect(InsightsDirection.of(category: "service") == "user_initiated")
        #expect(InsightsDirection.of(category: "referral_conversion") == "user_initiated")
        #expect(InsightsDirection.of(category: "unknown") == "unknown")
    }
}
