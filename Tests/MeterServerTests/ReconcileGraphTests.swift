import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MeterCore
import MeterReconcile
import MeterStore
import NIOCore
import TestSupport
import Testing
import WhatsAppWebhook

/// `wameter reconcile` against a fake Graph API on loopback (issue 17, part 1): Meta's answer is
/// what wameter's own Graph route answers for the ledger, then edited to plant differences; the
/// reconciliation must find each one and name its cause, through paging, retries and Meta's errors.
@Suite("Reconciliation against a fake Graph API")
struct ReconcileGraphTests {
    static let account = "102290129340398"
    static let month = YearMonth(year: 2025, month: 11)
    static let kolkata = BillingCalendar(timezoneIdentifier: "Asia/Kolkata")!
    /// 2025-12-10: the month is closed, so Meta has finished counting it.
    static let now = utc("2025-12-10T00:00:00Z")

    /// A November of two phone numbers: Indian marketing on the 3rd and 4th, Brazilian utility and
    /// Indian utility (volume tiers of five) on the 3rd, free service on the 5th.
    static func ledger() async throws -> SQLiteLedgerStore {
        let store = try SQLiteLedgerStore()
        _ = try await store.upsertAccount(Account(id: account, timezone: "Asia/Kolkata", currency: "USD"))
        let card = try RateCardImport.parse(
            """
            effective_from,currency,market,category,rate
            2025-07-01,USD,India,marketing,0.0107
            2025-10-01,USD,India,marketing,0.0118
            2025-10-01,USD,Brazil,utility,0.0068
            """)
        let tiers = try RateCardImport.parse(
            """
            effective_from,currency,market,category,volume_from,volume_to,rate
            2025-10-01,USD,India,utility,1,5,0.0014
            2025-10-01,USD,India,utility,6,,0.0010
            """)
        try await store.importRates(card.rates, tiers: tiers.tiers)
        var bodies: [Data] = []
        var serial = 0
        func deliver(
            _ count: Int, day: Int, phone: (id: String, display: String), to recipient: String, _ category: String,
            type: String = "regular"
        ) {
            for index in 0..<count {
                serial += 1
                let time = utc(String(format: "2025-11-%02dT06:00:00Z", day)) + Int64(index * 60)
                bodies.append(
                    LedgerScenario.builder.body([
                        (
                            account,
                            [
                                .init(
                                    phoneNumberId: phone.id, displayPhoneNumber: phone.display,
                                    statuses: [
                                        .init(
                                            messageId: "wamid.\(serial)", status: "delivered", timestamp: time,
                                            recipientId: recipient, pricing: LedgerScenario.pmp(category, type: type))
                                    ])
                            ]
                        )
                    ]))
            }
        }
        let first = (id: "106540352242901", display: "+1 555-000-1111")
        let second = (id: "106540352242902", display: "15550002222")
        deliver(10, day: 3, phone: first, to: "919876543210", "marketing")
        deliver(60, day: 4, phone: first, to: "919876543211", "marketing")
        deliver(4, day: 3, phone: second, to: "5511987654321", "utility")
        deliver(8, day: 3, phone: second, to: "919876543212", "utility")
        deliver(5, day: 5, phone: first, to: "919876543213", "service", type: "free_customer_service")
        try await LedgerScenario.ingest(store, bodies)
        return store
    }

    /// wameter's own Graph answer for each field reconcile asks: Meta's side before any edit, as
    /// data points (JSON objects).
    static func metaPoints(_ store: SQLiteLedgerStore) async throws -> [String: [[String: Any]]] {
        var answer: [String: [[String: Any]]] = [:]
        for field in ReconcileRequest.fields(month: month, calendar: kolkata) {
            let request = try GraphAnalyticsRequest.parse(field)
            let result = try await store.insights(
                scope: .accounts([account]), query: request.query(calendar: kolkata), now: now)
            let json = WireJSON.encode(request.response(result, calendar: kolkata))
            let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
            let data = try #require(object["data"] as? [[String: Any]])
            answer[field.name] = data.flatMap { $0["data_points"] as? [[String: Any]] ?? [] }
        }
        return answer
    }

    static func texts(_ points: [[String: Any]]) throws -> [String] {
        try points.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
    }

    /// Runs `body` with a fake Graph API serving `points` and a client pointed at it.
    static func withFakeGraph(
        _ points: [String: [[String: Any]]], attempts: Int = 4, timeout: TimeAmount = .seconds(10),
        _ configure: @Sendable (isolated FakeGraph) -> Void = { _ in },
        _ body: @Sendable (FakeGraph, GraphAnalyticsClient) async throws -> Void
    ) async throws {
        let fake = FakeGraph()
        for (field, list) in points { await fake.set(field, points: try texts(list)) }
        await fake.configure(configure)
        try await fake.application().test(.live) { client in
            defer { fake.done.store(true, ordering: .relaxed) }
            let port = try #require(client.port)
            var logger = Logger(label: "reconcile-test")
            logger.logLevel = .critical
            let graph = GraphAnalyticsClient(
                http: HTTPClient.shared,
                settings: GraphClientSettings(
                    baseURL: "http://127.0.0.1:\(port)", token: "token-1", timeout: timeout, attempts: attempts,
                    backoff: .milliseconds(10)),
                logger: logger)
            try await body(fake, graph)
        }
    }

    static func reconcile(_ store: SQLiteLedgerStore, _ graph: GraphAnalyticsClient) async throws -> Reconciliation {
        try await Reconciler(store: store).reconcile(
            account: account, month: month, source: .graph(graph), tolerance: .standard, now: now)
    }

    @Test("Meta saying what the ledger says agrees, read over many pages through throttling and a failure")
    func agrees() async throws {
        let store = try await Self.ledger()
        let points = try await Self.metaPoints(store)
        #expect(points["pricing_analytics"]?.count == 6)
        try await Self.withFakeGraph(
            points,
            {
                $0.failures = [429, 503]; $0.pageSize = 2
            }
        ) { fake, graph in
            let result = try await Self.reconcile(store, graph)
            #expect(result.agrees, "\(result.drifts.map(\.explanation))")
            let pricing = try #require(result.fields.first)
            #expect(pricing.field == .pricingAnalytics)
            #expect(pricing.metaUnits == 87 && pricing.wameterUnits == 87)
            #expect(pricing.pages == 3 && pricing.points == 6)
            #expect(pricing.costCompared)
            #expect(pricing.metaCost == pricing.wameterCost)
            let requests = await fake.requests
            // 2 refused, 3 pricing pages, 1 call page.
            #expect(requests.count == 6)
            // The token goes in the header, never in a URL wameter builds.
            #expect(requests.allSatisfy { $0.authorization == "Bearer token-1" })
            #expect(!requests[0].target.contains("token-1"))
            #expect(
                requests[0].target.contains(
                    "dimensions([\"COUNTRY\",\"PHONE\",\"PRICING_CATEGORY\",\"PRICING_TYPE\",\"TIER\"])"))
        }
    }

    @Test("an answer whose body never ends is given up after the timeout and asked again", .timeLimit(.minutes(2)))
    func stalledBody() async throws {
        let store = try await Self.ledger()
        let points = try await Self.metaPoints(store)
        // Long enough for a loaded machine to answer the pages that do end.
        try await Self.withFakeGraph(points, timeout: .seconds(5), { $0.stalledBodies = 1 }) { fake, graph in
            let start = ContinuousClock.now
            let result = try await Self.reconcile(store, graph)
            #expect(ContinuousClock.now - start < .seconds(60))
            #expect(result.agrees, "\(result.drifts.map(\.explanation))")
            // The stalled first page asked again: 1 + 2 pricing pages + 1 call page.
            #expect(await fake.requests.count == 4)
        }
    }

    @Test("planted differences are each found and named: a missing day, a market, a tier, a rate card")
    func planted() async throws {
        let store = try await Self.ledger()
        var points = try await Self.metaPoints(store)
        var pricing = try #require(points["pricing_analytics"])
        func index(country: String, category: String, day: Int) throws -> Int {
            let start = utc(String(format: "2025-11-%02dT00:00:00Z", day)) - 19_800  // local midnight
            return try #require(
                pricing.firstIndex {
                    $0["country"] as? String == country && $0["pricing_category"] as? String == category
                        && ($0["start"] as? NSNumber)?.int64Value == start
                })
        }
        // 1. Meta counts 10 Indian marketing messages of the 3rd in Bangladesh.
        pricing[try index(country: "IN", category: "MARKETING", day: 3)]["country"] = "BD"
        // 2. Meta prices the 4th's 60 at July's 0.0107 (wameter: October's 0.0118).
        pricing[try index(country: "IN", category: "MARKETING", day: 4)]["cost"] = NSDecimalNumber(string: "0.642")
        // 3. Meta puts the Indian utility messages in a higher tier (same cost, e.g. a credit).
        let utility = try index(country: "IN", category: "UTILITY", day: 3)
        #expect(pricing[utility]["tier"] as? String != nil)
        pricing[utility]["tier"] = "100001:500000"
        // 4. A day wameter never heard of: 12 marketing messages on the 12th.
        var missing = pricing[try index(country: "IN", category: "MARKETING", day: 4)]
        missing["start"] = utc("2025-11-12T00:00:00Z") - 19_800
        missing["end"] = utc("2025-11-13T00:00:00Z") - 19_800
        missing["volume"] = 12
        missing["cost"] = NSDecimalNumber(string: "0.1416")
        pricing.append(missing)
        points["pricing_analytics"] = pricing

        try await Self.withFakeGraph(points) { _, graph in
            let result = try await Self.reconcile(store, graph)
            #expect(!result.agrees)
            let found = result.drifts.map { "\(DayKeys.format($0.key.day)) \($0.key.country) \($0.cause.rawValue)" }
            #expect(
                found == [
                    "2025-11-03 BD market_mapping", "2025-11-03 IN market_mapping", "2025-11-03 IN volume_tier",
                    "2025-11-04 IN rate_card", "2025-11-12 IN webhooks_missing",
                ])
            let rate = try #require(result.drifts.first { $0.cause == .rateCard })
            #expect(rate.explanation.contains("60 × 0.0107"))
            #expect(rate.explanation.contains("card effective 2025-07-01"))
            #expect(
                result.drifts.last?.explanation.contains("wameter has 0 of Meta's 12 messages on 2025-11-12") == true)
            // The report in every format carries the same verdict.
            let json = ReconciliationJSON(result)
            #expect(json.causes == ["market_mapping": 2, "volume_tier": 1, "rate_card": 1, "webhooks_missing": 1])
            #expect(json.differences.first?.phoneNumber == "15550001111")
            #expect(result.csv().split(separator: "\n").count == 6)
            let table = result.table { header, rows in
                ([header] + rows).map { $0.joined(separator: " ") }.joined(separator: "\n") + "\n"
            }
            #expect(table.contains("5 cells differ"))
            #expect(table.contains("- webhooks_missing: wameter has 0 of Meta's 12 messages on 2025-11-12"))
        }
    }

    @Test("partner-billed: Meta refuses COST, volumes are compared without it and the report says so")
    func costUnavailable() async throws {
        let store = try await Self.ledger()
        var points = try await Self.metaPoints(store)
        points["pricing_analytics"] = points["pricing_analytics"]!.map { $0.filter { $0.key != "cost" } }
        try await Self.withFakeGraph(
            points,
            {
                $0.costUnavailable = true; $0.refuseCalls = true
            }
        ) { fake, graph in
            let result = try await Self.reconcile(store, graph)
            #expect(result.agrees)
            #expect(result.fields.map(\.costCompared) == [false])
            #expect(result.fields.first?.metaCost == nil)
            #expect(result.notes.contains { $0.contains("does not show cost for pricing_analytics") })
            #expect(result.notes.contains { $0.contains("Meta refused call_analytics") })
            let targets = await fake.requests.map(\.target)
            #expect(targets[0].contains("COST") && !targets[1].contains("COST"))
        }
    }

    @Test("an expired token stops at once with Meta's words; endless throttling gives up after the attempts")
    func refusals() async throws {
        let store = try await Self.ledger()
        try await Self.withFakeGraph([:], { $0.tokenExpired = true }) { fake, graph in
            await #expect {
                try await Self.reconcile(store, graph)
            } throws: { error in
                guard case GraphClientError.meta(let meta, let status) = error else { return false }
                return meta.code == 190 && meta.subcode == 463 && status == 400
                    && "\(error)".contains("Session has expired") && "\(error)".contains("--graph-token")
            }
            #expect(await fake.requests.count == 1)
        }
        try await Self.withFakeGraph([:], attempts: 3, { $0.failures = [429, 429, 429, 429] }) { fake, graph in
            await #expect {
                try await Self.reconcile(store, graph)
            } throws: { error in
                guard case GraphClientError.meta(let meta, let status) = error else { return false }
                return meta.code == 80007 && status == 429
            }
            #expect(await fake.requests.count == 3)
        }
    }

    @Test("a next-page link to another host is not followed (it would carry the token there)")
    func foreignPage() async throws {
        let store = try await Self.ledger()
        let points = try await Self.metaPoints(store)
        try await Self.withFakeGraph(
            points,
            {
                $0.foreignNext = true; $0.pageSize = 2
            }
        ) { _, graph in
            await #expect {
                try await Self.reconcile(store, graph)
            } throws: { error in
                guard case GraphClientError.foreignPage(let url) = error else { return false }
                return url.hasPrefix("http://elsewhere.example/")
            }
        }
    }

    @Test("saved responses: one page, a list of pages, and files that are not analytics")
    func files() async throws {
        let store = try await Self.ledger()
        let points = try await Self.metaPoints(store)
        let pricing = try Self.texts(points["pricing_analytics"]!)
        let page1 =
            #"{"pricing_analytics":{"data":[{"data_points":[\#(pricing[0..<3].joined(separator: ","))]}]},"id":"1"}"#
        let page2 = #"{"data":[{"data_points":[\#(pricing[3...].joined(separator: ","))]}]}"#
        let reconciler = Reconciler(store: store)
        let result = try await reconciler.reconcile(
            account: Self.account, month: Self.month,
            source: .files([("pages.json", Array("[\(page1),\(page2)]".utf8))]), tolerance: .standard, now: Self.now)
        #expect(result.agrees)
        #expect(result.source == "file")
        #expect(result.fields.map(\.pages) == [2])
        #expect(result.notes == ["no call_analytics in the files: not compared"])
        await #expect {
            try await reconciler.reconcile(
                account: Self.account, month: Self.month, source: .files([("bad.json", Array("{\"id\":1}".utf8))]),
                tolerance: .standard, now: Self.now)
        } throws: { "\($0)".hasPrefix("bad.json: no data or data_points") }
        await #expect {
            try await reconciler.reconcile(
                account: "nobody", month: Self.month, source: .files([]), tolerance: .standard, now: Self.now)
        } throws: { "\($0)".contains("no account nobody") }
    }
}
