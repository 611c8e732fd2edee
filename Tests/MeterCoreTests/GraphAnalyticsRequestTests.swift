import MeterCore
import Testing

/// Meta's analytics fields as Meta's docs and SDKs write them (reference §9), read into insights
/// queries; what wameter cannot answer is refused in Meta's words, never answered wrongly.
@Suite("Graph analytics requests")
struct GraphAnalyticsRequestTests {
    @Test("field expansion: numbers, bare words, quoted and unquoted lists, several fields")
    func fieldExpansion() throws {
        let fields = try GraphField.parse(
            #"pricing_analytics.start(1751328000).end(1753920000).granularity(DAILY).dimensions(["COUNTRY","PHONE","PRICING_CATEGORY"]),"#
                + "analytics.start(1751328000).end(1751414400).granularity(DAY).country_codes([IN, BR])")
        #expect(
            fields == [
                GraphField(
                    name: "pricing_analytics",
                    modifiers: [
                        "start": ["1751328000"], "end": ["1753920000"], "granularity": ["DAILY"],
                        "dimensions": ["COUNTRY", "PHONE", "PRICING_CATEGORY"],
                    ]),
                GraphField(
                    name: "analytics",
                    modifiers: [
                        "start": ["1751328000"], "end": ["1751414400"], "granularity": ["DAY"],
                        "country_codes": ["IN", "BR"],
                    ]),
            ])
    }

    @Test("syntax errors say where")
    func syntaxErrors() {
        #expect(
            throws: GraphError.invalidParameter("Syntax error in fields: expected ) to close start at character 26")
        ) {
            try GraphField.parse("pricing_analytics.start(1")
        }
        #expect(throws: GraphError.invalidParameter("Syntax error in fields: expected a name at character 1")) {
            try GraphField.parse(".start(1)")
        }
    }

    @Test("pricing_analytics: days of the account, dimensions, Meta's names of categories and types")
    func pricingAnalytics() throws {
        let field = try #require(
            try GraphField.parse(
                "pricing_analytics.start(1751328000).end(1753920000).granularity(DAILY)"
                    + #".dimensions(["COUNTRY","PHONE","PRICING_TYPE"]).pricing_categories(["SERVICE"])"#
                    + #".pricing_types(["FREE_ENTRY_POINT"]).phone_numbers(["+1 555-024-2901"])"#
            ).first)
        let request = try GraphAnalyticsRequest.parse(field)
        let kolkata = try #require(BillingCalendar(timezoneIdentifier: "Asia/Kolkata"))
        let query = request.query(calendar: kolkata)
        // 2025-07-01 00:00 UTC is 05:30 in Kolkata; 2025-07-31 00:00 UTC ends on the 31st there too.
        #expect(query.from == 20250701)
        #expect(query.to == 20250731)
        #expect(query.granularity == .day)
        #expect(query.dimensions == [.country, .phone, .pricingType])
        // As given: the insights match it against display numbers (BusinessPhoneNumber.ids).
        #expect(query.filters.values[.phone] == ["+1 555-024-2901"])
        // Meta shows free entry point messages as SERVICE.
        #expect(query.filters.values[.category] == ["service", "referral_conversion"])
        #expect(query.filters.values[.pricingType] == ["free_entry_point"])
        #expect(query.filters.values[.kind] == ["message"])
    }

    @Test("a phone number is named by id or by the digits of its display number")
    func phoneNumberNames() {
        let numbers = [
            BusinessPhoneNumber(account: "A", phoneNumberId: "106540352242901", displayNumber: "15550242901"),
            BusinessPhoneNumber(account: "A", phoneNumberId: "106540352242902", displayNumber: "+1 555-024-2902"),
        ]
        #expect(
            BusinessPhoneNumber.ids(named: ["+1 555-024-2901", "15550242902"], in: numbers)
                == ["+1 555-024-2901", "15550242902", "106540352242901", "106540352242902"])
        #expect(BusinessPhoneNumber.ids(named: ["106540352242902"], in: numbers) == ["106540352242902"])
        #expect(BusinessPhoneNumber.ids(named: ["unknown"], in: numbers) == ["unknown"])
    }

    @Test("conversation_analytics accepts the documented and the returned spellings of its types")
    func conversationTypes() throws {
        for type in ["FREE_ENTRY", "FREE_ENTRY_POINT"] {
            let field = try #require(
                try GraphField.parse(
                    "conversation_analytics.start(1685577600).end(1688169600).granularity(MONTHLY)"
                        + ".conversation_types([\(type)]).dimensions([CONVERSATION_TYPE,CONVERSATION_DIRECTION])"
                ).first)
            let request = try GraphAnalyticsRequest.parse(field)
            #expect(request.filters[.pricingType] == ["free_entry_point"])
            #expect(request.filters[.kind] == ["conversation"])
            #expect(request.dimensions == [.pricingType, .direction])
        }
    }

    @Test("what wameter cannot answer is refused with Meta's error, never answered wrongly")
    func refusals() throws {
        let cases: [(String, String)] = [
            (
                "pricing_analytics.start(0).end(2678401).granularity(HALF_HOUR)",
                "(#100) HALF_HOUR granularity covers at most 31 days; ask for DAILY"
            ),
            (
                "pricing_analytics.start(1).end(2).granularity(DAY)",
                "(#100) granularity of pricing_analytics must be one of HALF_HOUR, DAILY, MONTHLY"
            ),
            (
                "analytics.start(1).end(2).granularity(DAILY)",
                "(#100) granularity of analytics must be one of HALF_HOUR, DAY, MONTH"
            ),
            ("pricing_analytics.end(2).granularity(DAILY)", "(#100) pricing_analytics requires start"),
            ("pricing_analytics.start(5).end(2).granularity(DAILY)", "(#100) end must be after start"),
            (
                "analytics.start(1).end(2).granularity(DAY).metric_types([COST])",
                "(#100) analytics does not take metric_types"
            ),
            (
                "template_analytics.start(1).end(2)",
                "(#100) Tried accessing nonexisting field (template_analytics) on node type (WhatsAppBusinessAccount); "
                    + "wameter answers analytics, conversation_analytics, pricing_analytics, call_analytics"
            ),
            (
                "call_analytics.start(1).end(2).granularity(DAILY).metric_types([VOLUME])",
                "(#100) unknown metric_types value VOLUME"
            ),
            (
                "call_analytics.start(1).end(2).granularity(DAILY).dimensions([PRICING_CATEGORY])",
                "(#100) unknown dimensions value PRICING_CATEGORY for call_analytics"
            ),
            (
                "call_analytics.start(1).end(2).granularity(DAILY).tiers([1])",
                "(#100) call_analytics does not take tiers"
            ),
        ]
        for (fields, message) in cases {
            #expect(throws: GraphError.self, "\(fields)") {
                try GraphAnalyticsRequest.parse(try #require(try GraphField.parse(fields).first))
            }
            do {
                _ = try GraphAnalyticsRequest.parse(try #require(try GraphField.parse(fields).first))
            } catch let error as GraphError {
                #expect(error.message == message, "\(fields)")
            }
        }
    }
}
