import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MeterCore
import MeterReconcile
import MeterServer
import MeterStore
import TestSupport
import Testing

/// `serve`'s daily reconciliation (opt-in), the kept reports at `GET /api/v1/reconciliations`, and
/// the dashboard's card.
@Suite("Reconciliation in serve")
struct ReconciliationServeTests {
    static let account = ReconcileGraphTests.account

    @Test("the daily run time: HH:MM UTC, the next one strictly later")
    func schedule() {
        #expect(DailyReconcileSettings.timeOfDay("06:30") == 23_400)
        #expect(DailyReconcileSettings.timeOfDay("24:00") == nil)
        #expect(DailyReconcileSettings.timeOfDay("6:30") == nil)
        let settings = DailyReconcileSettings(timeOfDay: 23_400, token: "t")
        let day = utc("2025-12-03T00:00:00Z")
        #expect(settings.nextRun(after: day) == day + 23_400)
        #expect(settings.nextRun(after: day + 23_400) == day + 86_400 + 23_400)
        #expect(settings.nextRun(after: day + 30_000) == day + 86_400 + 23_400)
    }

    @Test("settings: the daily run needs a Graph token and a time of day; off by default")
    func settings() throws {
        let base = ["WAMETER_APP_SECRET": "s", "WAMETER_VERIFY_TOKEN": "v", "WAMETER_API_TOKEN": "0123456789abcdef"]
        #expect(try ServerConfiguration.load(host: nil, port: nil, environment: base).reconcile == nil)
        var environment = base
        environment["WAMETER_RECONCILE_DAILY_AT"] = "05:00"
        #expect(throws: ServerConfiguration.Problems.self) {
            try ServerConfiguration.load(host: nil, port: nil, environment: environment)
        }
        environment["WAMETER_GRAPH_TOKEN"] = "EAAG"
        environment["WAMETER_GRAPH_VERSION"] = "v23.0"
        let loaded = try ServerConfiguration.load(host: nil, port: nil, environment: environment).reconcile
        #expect(loaded == DailyReconcileSettings(timeOfDay: 18_000, token: "EAAG", graphVersion: "v23.0"))
        var badURL = environment
        badURL["WAMETER_GRAPH_URL"] = "graph.facebook.com"
        #expect(throws: ServerConfiguration.Problems.self) {
            try ServerConfiguration.load(host: nil, port: nil, environment: badURL)
        }
        do {
            _ = try ServerConfiguration.load(host: nil, port: nil, reconcileDailyAt: "5am", environment: environment)
            Issue.record("5am accepted")
        } catch {
            #expect(error.description.contains("\"5am\" is not HH:MM (UTC)"))
        }
    }

    @Test("a daily run checks this month and, in its first week, the last; keeps the results; skips fresh ones")
    func dailyRun() async throws {
        let store = try await ReconcileGraphTests.ledger()
        let points = try await ReconcileGraphTests.metaPoints(store)
        try await ReconcileGraphTests.withFakeGraph(points) { fake, graph in
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let daily = DailyReconciliation(
                store: store,
                settings: DailyReconcileSettings(
                    timeOfDay: 21_600, token: "token-1", graphURL: graph.settings.baseURL),
                clock: { 0 }, logger: logger)
            // 2025-12-03 in Kolkata: December so far, and November (first week).
            let now = utc("2025-12-03T06:00:00Z")
            let first = await daily.runOnce(now: now)
            #expect(
                first.map { "\($0.month) \($0.agrees.map(String.init) ?? "-") \($0.problem ?? "")" } == [
                    "2025-12 true ", "2025-11 true ",
                ])
            let kept = try await store.reconciliations(accounts: nil, month: nil, limit: 10)
            #expect(kept.map(\.month.description).sorted() == ["2025-11", "2025-12"])
            #expect(kept.allSatisfy { $0.checkedAt == now && $0.agrees })
            let asked = await fake.requests.count
            // An hour later (a restart, another instance): nothing is asked again.
            let again = await daily.runOnce(now: now + 3_600)
            #expect(again.allSatisfy { $0.agrees == nil && $0.problem == nil })
            #expect(await fake.requests.count == asked)
            // Meta refusing the token is logged and reported for each month, not thrown.
            await fake.configure { $0.tokenExpired = true }
            let refused = await daily.runOnce(now: now + 86_400)
            #expect(refused.count == 2)
            #expect(refused.allSatisfy { $0.problem?.contains("Session has expired") == true })
        }
    }

    @Test("GET /api/v1/reconciliations: newest first, filtered, bounded by the token's accounts; the dashboard card")
    func api() async throws {
        let fixture = try ServerFixture()
        for id in ["A", "C"] {
            _ = try await fixture.store.upsertAccount(Account(id: id, timezone: "UTC", currency: "USD"))
        }
        let november = Reconciliation(
            account: "A", month: YearMonth(year: 2026, month: 9), timezone: "UTC", currency: "USD", source: "graph",
            tolerance: .standard, checkedAt: ServerFixture.now - 3_600, fields: [],
            drifts: [
                Drift(
                    field: .pricingAnalytics,
                    key: AnalyticsCellKey(
                        day: 2026_09_03, phone: "1555", country: "IN", category: "MARKETING",
                        type: "REGULAR"),
                    meta: AnalyticsFigures(units: 5), wameter: nil, kinds: [.units], cause: .webhooksMissing,
                    explanation: "wameter has 0 of Meta's 5 messages on 2026-09-03")
            ], notes: [])
        try await fixture.store.saveReconciliation(StoredReconciliation(november))
        var other = november
        other.account = "C"
        other.drifts = []
        other.checkedAt -= 60
        try await fixture.store.saveReconciliation(StoredReconciliation(other))
        let secret = APITokenSecret.generate()
        try await fixture.store.createToken(
            APIToken(
                name: "c", scope: .account("C"), hash: APITokenSecret.hash(secret), createdAt: 0, expiresAt: nil))
        try await fixture.app().test(.router) { client in
            let admin: HTTPFields = [.authorization: "Bearer \(ServerFixture.apiToken)"]
            try await client.execute(uri: "/api/v1/reconciliations", method: .get, headers: admin) { response in
                #expect(response.status == .ok)
                let object = try #require(
                    try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let list = try #require(object["reconciliations"] as? [[String: Any]])
                #expect(list.map { $0["account"] as? String } == ["A", "C"])
                #expect(list[0]["agrees"] as? Bool == false)
                #expect((list[0]["causes"] as? [String: Int]) == ["webhooks_missing": 1])
            }
            try await client.execute(
                uri: "/api/v1/reconciliations?account=A&month=2026-09&limit=1", method: .get, headers: admin
            ) { response in
                #expect(String(buffer: response.body).contains(#""unit_gap" : 5"#))
            }
            // A token for C reads C only; A looks like no account at all.
            let scoped: HTTPFields = [.authorization: "Bearer \(secret)"]
            try await client.execute(uri: "/api/v1/reconciliations", method: .get, headers: scoped) { response in
                #expect(String(buffer: response.body).contains(#""account" : "C""#))
                #expect(!String(buffer: response.body).contains(#""account" : "A""#))
            }
            try await client.execute(uri: "/api/v1/reconciliations?account=A", method: .get, headers: scoped) {
                #expect($0.status == .notFound)
            }
            for bad in ["month=2026-13", "limit=0", "limit=501", "acount=A"] {
                try await client.execute(uri: "/api/v1/reconciliations?\(bad)", method: .get, headers: admin) {
                    #expect($0.status == .badRequest, "\(bad)")
                }
            }
            try await client.execute(uri: "/api/v1/reconciliations", method: .get) {
                #expect($0.status == .unauthorized)
            }
            // The account page of that month shows the check.
            let cookie = try await DashboardTests.signIn(client)
            try await client.execute(uri: "/accounts/A?month=2026-09", method: .get, headers: [.cookie: cookie]) {
                let page = String(buffer: $0.body)
                #expect(page.contains("Meta&#39;s analytics") || page.contains("Meta's analytics"))
                #expect(page.contains("1 differ"))
                #expect(page.contains("1 webhooks missing"))
                #expect(page.contains("/api/v1/reconciliations?account=A&amp;month=2026-09&amp;limit=1"))
            }
            try await client.execute(uri: "/accounts/C?month=2026-09", method: .get, headers: [.cookie: cookie]) {
                #expect(String(buffer: $0.body).contains(">agree<"))
            }
        }
    }
}
