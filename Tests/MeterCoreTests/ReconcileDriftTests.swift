import Foundation
import MeterCore
import TestSupport
import Testing
import WhatsAppWebhook

/// The comparison of Meta's analytics with wameter's cells and the causes it names (issue 17,
/// reconciliation; reference §9 and §10.4).
@Suite("Reconciliation: drifts and their causes")
struct ReconcileDriftTests {
    static let day3: DayKey = 2025_11_03
    static let day4: DayKey = 2025_11_04

    static func key(
        _ day: DayKey = day3, phone: String = "15550001111", country: String = "IN", category: String = "MARKETING",
        type: String = "REGULAR"
    ) -> AnalyticsCellKey {
        AnalyticsCellKey(day: day, phone: phone, country: country, category: category, type: type)
    }

    static func cells(_ entries: [(AnalyticsCellKey, AnalyticsFigures)]) -> AnalyticsCells {
        var cells = AnalyticsCells(field: .pricingAnalytics)
        for (key, figures) in entries { cells.add(key, figures) }
        return cells
    }

    /// India marketing at 0.0107 from 2025-07-01 and 0.0118 from 2025-10-01.
    static let card = RateCard([
        RateEntry(effectiveFrom: 2025_07_01, currency: "USD", market: "India", category: "marketing", rate: "0.0107"),
        RateEntry(effectiveFrom: 2025_10_01, currency: "USD", market: "India", category: "marketing", rate: "0.0118"),
    ])

    static func finder(compareCost: Bool = true, tolerance: CostTolerance = .standard) -> DriftFinder {
        DriftFinder(
            tolerance: tolerance, compareCost: compareCost, currency: "USD", lagFrom: 2025_11_29, rateCard: card)
    }

    /// A busy day on both sides: 100 Indian marketing messages, 20 Brazilian utility ones.
    static let base: [(AnalyticsCellKey, AnalyticsFigures)] = [
        (key(), AnalyticsFigures(units: 100, cost: "1.18")),
        (key(country: "BR", category: "UTILITY"), AnalyticsFigures(units: 20, cost: "0.136", tiers: ["1:100000"])),
        (key(day4), AnalyticsFigures(units: 90, cost: "1.062")),
    ]

    @Test("identical figures, and costs within the tolerance, agree")
    func agree() {
        var meta = Self.base
        meta[0].1.cost = "1.185"  // half a cent off: within 1% and 0.01
        #expect(Self.finder().drifts(meta: Self.cells(meta), wameter: Self.cells(Self.base)).isEmpty)
        // With no tolerance the half cent is a difference, and not one any card explains.
        let exact = Self.finder(tolerance: .absolute(0)).drifts(meta: Self.cells(meta), wameter: Self.cells(Self.base))
        #expect(exact.map(\.kinds) == [[.cost]])
        #expect(exact.map(\.cause) == [.unexplained])
    }

    @Test("a day wameter is far short on is named as missing webhooks")
    func missingDay() {
        var wameter = Self.base
        wameter[2].1 = AnalyticsFigures(units: 30, cost: "0.354")  // 30 of 90 on the 4th
        let drifts = Self.finder().drifts(meta: Self.cells(Self.base), wameter: Self.cells(wameter))
        #expect(drifts.count == 1)
        #expect(drifts[0].cause == .webhooksMissing)
        #expect(drifts[0].unitGap == 60)
        #expect(drifts[0].explanation.contains("wameter has 30 of Meta's 90 messages on 2025-11-04"))
        // One message short of 90 is not a missing day: unexplained.
        wameter[2].1 = AnalyticsFigures(units: 89, cost: "1.0502")
        let small = Self.finder().drifts(meta: Self.cells(Self.base), wameter: Self.cells(wameter))
        #expect(small.map(\.cause) == [.unexplained])
    }

    @Test("units in another country, category, pricing type or phone number are paired and named")
    func moves() {
        let cases: [(AnalyticsCellKey, Drift.Cause, String)] = [
            (Self.key(country: "BD"), .marketMapping, "Meta counts 7 messages in BD that wameter counts in IN"),
            (
                Self.key(category: "UTILITY"), .category,
                "Meta counts 7 messages as UTILITY that the webhooks call MARKETING"
            ),
            (
                Self.key(type: "FREE_CUSTOMER_SERVICE"), .freeTier,
                "as FREE_CUSTOMER_SERVICE that wameter counts as REGULAR"
            ),
            (Self.key(type: "FREE_ENTRY_POINT"), .pricingType, "as FREE_ENTRY_POINT that wameter counts as REGULAR"),
            (
                Self.key(phone: "15550002222"), .phoneNumber,
                "under phone number 15550002222 that wameter has under 15550001111"
            ),
        ]
        for (moved, cause, words) in cases {
            // Meta counts 7 of the 100 in `moved`.
            let meta = Self.cells(
                [(Self.key(), AnalyticsFigures(units: 93)), (moved, AnalyticsFigures(units: 7))] + Self.base.dropFirst()
            )
            let wameter = Self.cells(
                [(Self.key(), AnalyticsFigures(units: 100))] + Self.base.dropFirst())
            let drifts = Self.finder(compareCost: false).drifts(meta: meta, wameter: wameter)
            #expect(drifts.count == 2, "\(cause)")
            #expect(drifts.allSatisfy { $0.cause == cause }, "\(drifts.map(\.cause))")
            #expect(drifts.allSatisfy { $0.explanation.contains(words) }, "\(drifts.map(\.explanation))")
            #expect(Set(drifts.map(\.unitGap)) == [7, -7])
        }
    }

    @Test("CBP free tier: conversations Meta charged that wameter counted free")
    func cbpFreeTier() {
        var meta = AnalyticsCells(field: .conversationAnalytics)
        var wameter = AnalyticsCells(field: .conversationAnalytics)
        meta.add(Self.key(type: "REGULAR"), AnalyticsFigures(units: 12))
        meta.add(Self.key(type: "FREE_TIER"), AnalyticsFigures(units: 988))
        wameter.add(Self.key(type: "REGULAR"), AnalyticsFigures(units: 10))
        wameter.add(Self.key(type: "FREE_TIER"), AnalyticsFigures(units: 990))
        let drifts = Self.finder(compareCost: false).drifts(meta: meta, wameter: wameter)
        #expect(drifts.map(\.cause) == [.freeTier, .freeTier])
        #expect(
            drifts[0].explanation.contains("Meta counts 2 conversations as REGULAR that wameter counts as FREE_TIER"))
    }

    @Test("wameter's surplus: yesterday Meta lags, a day Meta does not cover, a number it leaves out, or unexplained")
    func surplus() {
        let recent = Self.key(2025_11_29)
        let meta = Self.cells(Self.base + [(recent, AnalyticsFigures(units: 5, cost: "0.059"))])
        let wameter = Self.cells(
            Self.base + [
                (recent, AnalyticsFigures(units: 8, cost: "0.0944")),
                (Self.key(phone: "15550009999"), AnalyticsFigures(units: 4, cost: "0.0472")),
                (Self.key(Self.day4, country: "BR", category: "UTILITY"), AnalyticsFigures(units: 3, cost: "0.0204")),
                (Self.key(2025_11_10), AnalyticsFigures(units: 6, cost: "0.0708")),
            ])
        let causes = Dictionary(
            uniqueKeysWithValues: Self.finder().drifts(meta: meta, wameter: wameter).map { ($0.key, $0.cause) })
        #expect(causes[recent] == .metaLagging)
        #expect(causes[Self.key(phone: "15550009999")] == .phoneNotInAccount)
        #expect(causes[Self.key(Self.day4, country: "BR", category: "UTILITY")] == .unexplained)
        #expect(causes[Self.key(2025_11_10)] == .metaNoData)
        #expect(causes.count == 4)
    }

    @Test("a cost that another card's rate gives is named with the card's date")
    func rateCard() throws {
        var meta = Self.base
        meta[0].1.cost = "1.07"  // 100 × 0.0107, the July card; wameter priced with October's 0.0118
        let drifts = Self.finder().drifts(meta: Self.cells(meta), wameter: Self.cells(Self.base))
        let drift = try #require(drifts.first)
        #expect(drifts.count == 1)
        #expect(drift.kinds == [.cost])
        #expect(drift.cause == .rateCard)
        #expect(drift.explanation.contains("100 × 0.0107"))
        #expect(drift.explanation.contains("card effective 2025-07-01"))
        #expect(drift.explanation.contains("the card effective 2025-10-01, 0.0118 each"))
    }

    @Test("another volume tier, and units wameter has no rate for")
    func tierAndNoRate() {
        var meta = Self.base
        meta[1].1 = AnalyticsFigures(units: 20, cost: "0.12", tiers: ["100001:500000"])
        var wameter = Self.base
        wameter[0].1 = AnalyticsFigures(units: 100, cost: "0.59", unrated: 50)
        let drifts = Self.finder().drifts(meta: Self.cells(meta), wameter: Self.cells(wameter))
        // Brazil sorts first.
        #expect(drifts.map(\.cause) == [.volumeTier, .noRate])
        #expect(drifts[0].kinds == [.cost, .tier])
        #expect(drifts[0].explanation.contains("tier 100001:500000, wameter's card in 1:100000"))
        #expect(drifts[1].explanation.contains("no rate for 50 of these messages (India marketing on 2025-11-03)"))
        // Without cost shown (partner-billed), only the tier differs.
        let volumesOnly = Self.finder(compareCost: false).drifts(meta: Self.cells(meta), wameter: Self.cells(wameter))
        #expect(volumesOnly.map(\.kinds) == [[.tier]])
    }

    @Test("cost tolerance: percentages with a cent's floor, amounts, and refusals")
    func tolerance() {
        #expect(CostTolerance("1%") == .relative(1))
        #expect(CostTolerance("0.05") == .absolute(Decimal(string: "0.05")!))
        #expect(CostTolerance("-1") == nil)
        #expect(CostTolerance("abc") == nil)
        #expect(CostTolerance("1e3") == nil)
        #expect(!CostTolerance.standard.differ("0.5", "0.509"))  // under a cent
        #expect(CostTolerance.standard.differ("0.5", "0.52"))
        #expect(!CostTolerance.standard.differ(1000, 1009))  // under 1%
        #expect(CostTolerance.standard.differ(1000, 1011))
        #expect(CostTolerance.absolute(0).differ(1, Decimal(string: "1.0001")!))
    }
}

/// Meta's analytics responses read as cells (reference §9.2, §9.3), pages and errors.
@Suite("Reconciliation: Meta's responses")
struct MetaAnalyticsPageTests {
    static func json(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    @Test("pricing_analytics as the reference shows it, with tiers and the next page")
    func pricing() throws {
        let page = try MetaAnalyticsPage.read(
            Self.json(
                #"""
                {"pricing_analytics":{"data":[{"data_points":[
                 {"start":1751328000,"end":1751414400,"phone_number":"15550458206","country":"IN","tier":"0:750000",
                  "pricing_type":"REGULAR","pricing_category":"AUTHENTICATION_INTERNATIONAL","volume":2,"cost":4.6},
                 {"start":1751328000,"end":1751414400,"phone_number":"15550458206","country":"IN","tier":"750001:2000000",
                  "pricing_type":"REGULAR","pricing_category":"AUTHENTICATION_INTERNATIONAL","volume":1,"cost":2.1},
                 {"start":1751414400,"end":1751500800,"phone_number":"15550458206","country":"BR",
                  "pricing_type":"FREE_ENTRY_POINT","pricing_category":"SERVICE","volume":3,"cost":0}]}],
                 "paging":{"cursors":{"after":"QVFI"},"next":"https://graph.facebook.com/v24.0/1/pricing_analytics?after=QVFI"}},
                 "id":"1"}
                """#), field: nil, calendar: .utc)
        #expect(page.field == .pricingAnalytics)
        #expect(page.points == 3)
        #expect(page.showsCost)
        #expect(page.next == "https://graph.facebook.com/v24.0/1/pricing_analytics?after=QVFI")
        let india = AnalyticsCellKey(
            day: 2025_07_01, phone: "15550458206", country: "IN", category: "AUTHENTICATION_INTERNATIONAL",
            type: "REGULAR")
        // One cell holds both tiers; money stays exact.
        #expect(
            page.cells.cells[india] == AnalyticsFigures(units: 3, cost: "6.7", tiers: ["0:750000", "750001:2000000"]))
        let brazil = AnalyticsCellKey(
            day: 2025_07_02, phone: "15550458206", country: "BR", category: "SERVICE", type: "FREE_ENTRY_POINT")
        #expect(page.cells.cells[brazil]?.units == 3)
    }

    @Test("conversation_analytics, Meta's FREE_ENTRY spelling, an edge page, and local days")
    func conversations() throws {
        let kolkata = try #require(BillingCalendar(timezoneIdentifier: "Asia/Kolkata"))
        // 2023-07-09T18:30Z is 2023-07-10 00:00 in Kolkata.
        let page = try MetaAnalyticsPage.read(
            Self.json(
                #"""
                {"data":[{"data_points":[{"start":1688927400,"end":1689013800,"conversation":1558,
                  "phone_number":"+1 555-045-8206","country":"US","conversation_type":"FREE_ENTRY",
                  "conversation_direction":"UNKNOWN","conversation_category":"AUTHENTICATION"}]}]}
                """#), field: nil, calendar: kolkata)
        #expect(page.field == .conversationAnalytics)
        #expect(!page.showsCost)
        #expect(page.next == nil)
        let key = AnalyticsCellKey(
            day: 2023_07_10, phone: "15550458206", country: "US", category: "AUTHENTICATION", type: "FREE_ENTRY_POINT")
        #expect(page.cells.cells[key] == AnalyticsFigures(units: 1558))
    }

    @Test("Meta's errors are errors; other documents are refused with a reason")
    func errors() throws {
        let expired =
            #"{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463}}"#
        #expect(
            throws: MetaGraphError(
                message: "Error validating access token: Session has expired", code: 190, subcode: 463)
        ) { try MetaAnalyticsPage.read(Self.json(expired), field: nil, calendar: .utc) }
        #expect(throws: MetaAnalyticsPage.Problem.self) {
            try MetaAnalyticsPage.read(Self.json(#"{"id":"1"}"#), field: nil, calendar: .utc)
        }
        #expect(throws: MetaAnalyticsPage.Problem.self) {
            try MetaAnalyticsPage.read(
                Self.json(#"{"call_analytics":{"data":[]}}"#), field: .pricingAnalytics, calendar: .utc)
        }
        let unavailable = MetaGraphError(message: "(#100) Cost not available for this business", code: 100)
        #expect(unavailable.isCostUnavailable)
        #expect(MetaGraphError(message: "Application request limit reached", code: 4).isThrottling)
    }

    @Test("the fields asked for a month: pricing and calls per message, conversations before July 2025")
    func requestedFields() throws {
        let kolkata = try #require(BillingCalendar(timezoneIdentifier: "Asia/Kolkata"))
        let november = ReconcileRequest.fields(month: YearMonth(year: 2025, month: 11), calendar: kolkata)
        #expect(november.map(\.name) == ["pricing_analytics", "call_analytics"])
        #expect(
            november[0].expansion
                == #"pricing_analytics.start(1761935400).end(1764527400).granularity(DAILY)"#
                + #".dimensions(["COUNTRY","PHONE","PRICING_CATEGORY","PRICING_TYPE","TIER"])"#
                + #".metric_types(["COST","VOLUME"])"#)
        // wameter's own Graph parser reads what it sends.
        #expect(try GraphField.parse(november[0].expansion) == [november[0]])
        let request = try GraphAnalyticsRequest.parse(november[0])
        #expect(request.dimensions == [.country, .phone, .category, .pricingType, .tier])
        let june = ReconcileRequest.fields(month: YearMonth(year: 2025, month: 6), calendar: kolkata, cost: false)
        #expect(june.map(\.name) == ["conversation_analytics"])
        #expect(june[0].modifiers["metric_types"] == ["CONVERSATION"])
    }
}
