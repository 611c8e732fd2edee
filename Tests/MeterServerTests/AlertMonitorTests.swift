import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MeterCore
import MeterStore
import NIOCore
import Synchronization
import TestSupport
import Testing

@testable import MeterServer

/// A loopback stand-in for an alert receiver: records every POST and answers the statuses it is
/// told to for a path (then 200).
actor AlertReceiver {
    struct Received: Sendable {
        var path: String
        var body: Data
        var signature: String?
        var alertID: String?
        var status: Int
    }

    private(set) var received: [Received] = []
    /// POSTs read but not answered yet.
    private(set) var inFlight = 0
    /// Statuses to answer first, by path.
    var statuses: [String: [Int]] = [:]

    func setStatuses(_ statuses: [String: [Int]]) { self.statuses = statuses }

    func arrived() { inFlight += 1 }
    func cutShort() { inFlight -= 1 }

    func record(path: String, body: Data, signature: String?, alertID: String?) -> Int {
        inFlight -= 1
        let status = statuses[path]?.isEmpty == false ? statuses[path]!.removeFirst() : 200
        received.append(Received(path: path, body: body, signature: signature, alertID: alertID, status: status))
        return status
    }

    /// The POSTs answered 2xx.
    var accepted: [Received] { received.filter { (200..<300).contains($0.status) } }

    nonisolated func application(port: Int = 0) -> some ApplicationProtocol {
        let router = Router()
        router.post("{path}") { request, context -> Response in
            await self.arrived()
            // A sender killed mid-POST leaves a body that never ends.
            guard let body = try? await request.body.collect(upTo: 1 << 20) else {
                await self.cutShort()
                return Response(status: .badRequest)
            }
            let status = await self.record(
                path: request.uri.path, body: Data(buffer: body),
                signature: request.headers[HTTPField.Name(AlertSignature.header)!],
                alertID: request.headers[HTTPField.Name("X-Wameter-Alert-Id")!])
            return Response(status: .init(code: status))
        }
        var logger = Logger(label: "alert-receiver")
        logger.logLevel = .critical
        return Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
    }
}

/// `serve`'s alert monitor in process: budget thresholds raised once per month, on both backends;
/// deliveries signed, retried after a failure, sent once; Slack's payload; no secret, no JSON.
@Suite("Alert monitor", .closesStores)
struct AlertMonitorTests {
    /// 2026-11-10 12:00 UTC; two Indian marketing messages on the 3rd at 0.5 USD each.
    static let now = utc("2026-11-10T12:00:00Z")

    static func ledger(_ backend: StoreBackend) async throws -> any LedgerStore {
        let store = try await backend.makeStore(accounts: [Account(id: "A", timezone: "UTC", currency: "USD")])
        try await store.importRates(
            try RateCardImport.parse(
                """
                effective_from,currency,market,category,rate
                2026-11-01,USD,India,marketing,0.5
                """
            ).rates, tiers: [])
        try await LedgerScenario.ingest(
            store,
            (1...2).map {
                LedgerScenario.status(
                    account: "A", "m\($0)", "delivered", at: utc("2026-11-03T10:00:00Z") + Int64($0),
                    pricing: LedgerScenario.pmp("marketing"))
            })
        return store
    }

    static func monitor(
        _ store: any LedgerStore, _ settings: AlertSettings, clock: Int64 = now, timeout: TimeAmount = .seconds(10)
    ) -> AlertMonitor {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return AlertMonitor(store: store, settings: settings, clock: { clock }, logger: logger, timeout: timeout)
    }

    /// A receiver on loopback answering through `router`, its logs silenced.
    static func loopback(_ router: Router<BasicRequestContext>) -> some ApplicationProtocol {
        var logger = Logger(label: "receiver")
        logger.logLevel = .critical
        return Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
    }

    @Test("budget thresholds fire once per month, spend and forecast apart", arguments: StoreBackend.all)
    func thresholdsOnce(_ backend: StoreBackend) async throws {
        let store = try await Self.ledger(backend)
        try await store.setBudget(
            Budget(scope: .account("A"), monthly: "1.6", currency: "USD", alertAt: [50, 100, 900], createdAt: 0))
        let monitor = Self.monitor(store, AlertSettings(secret: "s"))
        let raised = await monitor.evaluate(now: Self.now)
        // Spend 1.00 of 1.60 (62%); the forecast, a month of the same, far past 100% but not 900%.
        #expect(raised.map(\.id).contains("budget-spend:account:A:2026-11:50"))
        #expect(raised.map(\.id).contains("budget-forecast:account:A:2026-11:100"))
        #expect(!raised.map(\.id).contains { $0.hasSuffix(":900") })
        #expect(raised.first { $0.kind == .budgetSpend }?.figures["spend"] == "1")
        // Evaluated again, later, by this or another instance: nothing new.
        #expect(await monitor.evaluate(now: Self.now + 60).isEmpty)
        #expect(await Self.monitor(store, AlertSettings(secret: "s")).evaluate(now: Self.now + 120).isEmpty)
        #expect(try await store.alerts(visibleTo: .all, limit: 10).count == raised.count)
        // More spend crosses the next threshold, once.
        try await LedgerScenario.ingest(
            store,
            (3...4).map {
                LedgerScenario.status(
                    account: "A", "m\($0)", "delivered", at: utc("2026-11-09T10:00:00Z") + Int64($0),
                    pricing: LedgerScenario.pmp("marketing"))
            })
        #expect(await monitor.evaluate(now: Self.now + 180).map(\.id) == ["budget-spend:account:A:2026-11:100"])
    }

    @Test("with the committer's version, months are priced again only after a commit, a budget change, or an hour")
    func repricing() async throws {
        let store = try await Self.ledger(.sqlite)  // 1.00 USD spent
        try await store.setBudget(
            Budget(scope: .account("A"), monthly: 100, currency: "USD", alertAt: [50], createdAt: 0))
        let version = LedgerVersion()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let monitor = AlertMonitor(
            store: store, settings: AlertSettings(secret: "s"), clock: { Self.now }, logger: logger, version: version)
        #expect(await monitor.evaluate(now: Self.now).isEmpty)
        // A card a hundred times dearer, imported by another process: no commit, the same budgets.
        try await store.importRates(
            try RateCardImport.parse(
                """
                effective_from,currency,market,category,rate
                2026-11-01,USD,India,marketing,50
                """
            ).rates, tiers: [])
        #expect(await monitor.evaluate(now: Self.now + 60).isEmpty)
        // An hour after the last pricing, the months are priced again.
        #expect(await monitor.evaluate(now: Self.now + 3_600).map(\.id) == ["budget-spend:account:A:2026-11:50"])
        // A budget changed: at once.
        try await store.setBudget(
            Budget(scope: .account("A"), monthly: 150, currency: "USD", alertAt: [60], createdAt: 0))
        #expect(await monitor.evaluate(now: Self.now + 3_660).map(\.id) == ["budget-spend:account:A:2026-11:60"])
        // A commit: at once (a lower budget would otherwise wait for the hour).
        try await store.setBudget(
            Budget(scope: .account("A"), monthly: 150, currency: "USD", alertAt: [60, 70], createdAt: 0))
        // 100 of 150 is under 70%: only the forecast (a month of the same) warns.
        #expect(
            await monitor.evaluate(now: Self.now + 3_700).map(\.id) == ["budget-forecast:account:A:2026-11:70"])
        try await store.importRates(
            try RateCardImport.parse(
                """
                effective_from,currency,market,category,rate
                2026-11-01,USD,India,marketing,60
                """
            ).rates, tiers: [])
        #expect(await monitor.evaluate(now: Self.now + 3_760).isEmpty)
        version.advance()
        #expect(await monitor.evaluate(now: Self.now + 3_820).map(\.id) == ["budget-spend:account:A:2026-11:70"])
    }

    @Test("deliveries: signed JSON and Slack's text, a failure retried after its pause, each accepted once")
    func deliveries() async throws {
        let store = try await Self.ledger(.sqlite)
        let receiver = AlertReceiver()
        await receiver.setStatuses(["/hook": [503]])
        try await receiver.application().test(.live) { client in
            let port = try #require(client.port)
            try await store.setBudget(
                Budget(
                    scope: .account("A"), monthly: 1, currency: "USD", alertAt: [100],
                    notify: [AlertTarget(url: "http://127.0.0.1:\(port)/hook")], createdAt: 0))
            let settings = AlertSettings(
                secret: "s3cret", notify: [AlertTarget(url: "http://127.0.0.1:\(port)/slack", format: .slack)],
                retryBase: 30)
            let monitor = Self.monitor(store, settings)
            #expect(await monitor.evaluate(now: Self.now).map(\.id) == ["budget-spend:account:A:2026-11:100"])
            // The first POST to /hook gets 503; Slack's goes through.
            #expect(await monitor.send(now: Self.now) == 1)
            #expect(await receiver.received.count == 2)
            // Not due before its pause; then delivered.
            #expect(await monitor.send(now: Self.now + 29) == 0)
            let later = Self.monitor(store, settings, clock: Self.now + 30)
            #expect(await later.send(now: Self.now + 30) == 1)
            #expect(await later.send(now: Self.now + 10_000) == 0)
            let accepted = await receiver.accepted
            #expect(accepted.map(\.path).sorted() == ["/hook", "/slack"])
            let hook = try #require(accepted.first { $0.path == "/hook" })
            #expect(hook.signature == AlertSignature.value(for: hook.body, secret: "s3cret"))
            #expect(hook.alertID == "budget-spend:account:A:2026-11:100")
            let json = try #require(try JSONSerialization.jsonObject(with: hook.body) as? [String: Any])
            #expect(json["kind"] as? String == "budget_spend" && json["account"] as? String == "A")
            let slack = try #require(accepted.first { $0.path == "/slack" })
            let text = try #require(try JSONSerialization.jsonObject(with: slack.body) as? [String: String])
            #expect(text["text"]?.hasPrefix("wameter · account A: spend this month reached 100%") == true)
            let stored = try #require(try await store.alerts(visibleTo: .all, limit: 1).first)
            let attempts = stored.deliveries.map {
                "\($0.target.format.rawValue) \($0.attempts) \($0.deliveredAt != nil)"
            }
            #expect(attempts.sorted() == ["json 2 true", "slack 1 true"])
        }
    }

    @Test(
        "a receiver that never answers, or never ends its answer, holds neither the outbox nor other targets",
        .timeLimit(.minutes(2)))
    func stallingReceivers() async throws {
        let store = try await Self.ledger(.sqlite)
        // Stalled until the test is done (the receiver's shutdown waits for its open requests).
        let released = Atomic<Bool>(false)
        @Sendable func stall() async throws {
            while !released.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(50)) }
        }
        let router = Router()
        // Never answers: the head never comes.
        router.post("silent") { _, _ -> Response in
            try await stall()
            return Response(status: .ok)
        }
        // Answers 200, then its body never ends.
        router.post("endless") { _, _ -> Response in
            Response(
                status: .ok,
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "{"))
                    try await stall()
                })
        }
        try await Self.loopback(router).test(.live) { client in
            defer { released.store(true, ordering: .relaxed) }
            let port = try #require(client.port)
            let settings = AlertSettings(
                secret: "s",
                notify: ["silent", "endless"].map { AlertTarget(url: "http://127.0.0.1:\(port)/\($0)") })
            try await store.setBudget(
                Budget(scope: .account("A"), monthly: 1, currency: "USD", alertAt: [100], createdAt: 0))
            // Long enough for a loaded machine's receiver to answer the head of a good POST.
            let monitor = Self.monitor(store, settings, timeout: .seconds(4))
            _ = await monitor.evaluate(now: Self.now)
            let start = ContinuousClock.now
            // The 200 counts, though its body never ended; the silent one is tried again later.
            #expect(await monitor.send(now: Self.now) == 1)
            #expect(ContinuousClock.now - start < .seconds(60))
            let stored = try #require(try await store.alerts(visibleTo: .all, limit: 1).first)
            let outcomes = stored.deliveries.map {
                "\($0.target.url.split(separator: "/").last!) \($0.deliveredAt != nil) \($0.nextAttemptAt > Self.now)"
            }
            #expect(outcomes.sorted() == ["endless true false", "silent false true"])
            #expect(stored.deliveries.first { $0.deliveredAt == nil }?.lastError?.isEmpty == false)
        }
    }

    @Test(
        "deliveries go out several at once, all that are due in one pass: a slow target holds back no other",
        .timeLimit(.minutes(2)))
    func slowTargetHoldsBackNoOther() async throws {
        let store = try await Self.ledger(.sqlite)
        let others = AlertMonitor.atOnce + 3
        let arrived = Mutex<Set<String>>([])
        let released = Atomic<Bool>(false)
        let router = Router()
        router.post("{path}") { request, _ -> Response in
            let path = request.uri.path
            arrived.withLock { _ = $0.insert(path) }
            // The slow target answers only once every other target has been sent its delivery:
            // sent one after another, or in rounds, the others would wait for it, and it would
            // time out instead.
            while path == "/slow" && arrived.withLock({ $0.count }) <= others && !released.load(ordering: .relaxed) {
                try await Task.sleep(for: .milliseconds(20))
            }
            return Response(status: .ok)
        }
        try await Self.loopback(router).test(.live) { client in
            defer { released.store(true, ordering: .relaxed) }
            let port = try #require(client.port)
            func target(_ path: String) -> AlertTarget { AlertTarget(url: "http://127.0.0.1:\(port)/\(path)") }
            func alert(_ id: String) -> Alert {
                Alert(id: id, kind: .budgetSpend, account: "A", raisedAt: Self.now, message: id)
            }
            // The slow target's delivery is due first (claims go oldest first).
            _ = try await store.raiseAlerts([(alert("first"), [target("slow")])], now: Self.now - 10)
            // More than are in flight at once: all of them go in the same pass.
            _ = try await store.raiseAlerts(
                (1...others).map { (alert("later-\($0)"), [target("fast-\($0)")]) }, now: Self.now)
            // A timeout a loaded machine's loopback answers well within.
            let monitor = Self.monitor(store, AlertSettings(secret: "s"), timeout: .seconds(20))
            #expect(await monitor.send(now: Self.now) == others + 1)
            #expect(arrived.withLock { $0.count } == others + 1)
        }
    }

    @Test("two instances sending from one outbox at once send each delivery once", arguments: StoreBackend.all)
    func twoInstancesSendEachOnce(_ backend: StoreBackend) async throws {
        let location: String
        switch backend {
        case .sqlite: location = try TestFiles.directory("alert-instances").appendingPathComponent("ledger.sqlite").path
        // A long deadline, as for every store test: a fresh schema's migrations on a loaded machine.
        case .postgres:
            location = try StoreBackend.url(for: try StoreBackend.freshSchemaSettings()) + "&operation_timeout=60"
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        // Two stores on one database: two instances, each with its own connections.
        let first = try await LedgerStoreLocation.open(location, logger: logger)
        OpenedStores.current?.add(first)
        let second = try await LedgerStoreLocation.open(location, logger: logger)
        OpenedStores.current?.add(second)
        let receiver = AlertReceiver()
        try await receiver.application().test(.live) { client in
            let port = try #require(client.port)
            let count = AlertMonitor.atOnce * 4
            _ = try await first.raiseAlerts(
                (1...count).map {
                    (
                        Alert(id: "a-\($0)", kind: .budgetSpend, account: "A", raisedAt: Self.now, message: ""),
                        [AlertTarget(url: "http://127.0.0.1:\(port)/hook")]
                    )
                }, now: Self.now)
            async let one = Self.monitor(first, AlertSettings(secret: "s")).send(now: Self.now)
            async let other = Self.monitor(second, AlertSettings(secret: "s")).send(now: Self.now)
            let sent = await [one, other]
            #expect(sent.reduce(0, +) == count)
            let ids = await receiver.received.compactMap(\.alertID)
            #expect(ids.count == count && Set(ids).count == count)
        }
    }

    @Test("without WAMETER_ALERT_SECRET, JSON alerts wait (unsigned JSON is never sent); Slack goes")
    func noSecret() async throws {
        let store = try await Self.ledger(.sqlite)
        let receiver = AlertReceiver()
        try await receiver.application().test(.live) { client in
            let port = try #require(client.port)
            let settings = AlertSettings(
                notify: [
                    AlertTarget(url: "http://127.0.0.1:\(port)/hook"),
                    AlertTarget(url: "http://127.0.0.1:\(port)/slack", format: .slack),
                ])
            try await store.setBudget(
                Budget(scope: .account("A"), monthly: 1, currency: "USD", alertAt: [100], createdAt: 0))
            let monitor = Self.monitor(store, settings)
            _ = await monitor.evaluate(now: Self.now)
            #expect(await monitor.send(now: Self.now) == 1)
            #expect(await receiver.received.map(\.path) == ["/slack"])
            // With the secret (a restart with it set), the kept JSON delivery goes out.
            let signed = Self.monitor(
                store, AlertSettings(secret: "k", notify: settings.notify), clock: Self.now + 600)
            #expect(await signed.send(now: Self.now + 600) == 1)
            #expect(await receiver.received.map(\.path) == ["/slack", "/hook"])
        }
    }

    @Test("GET /api/v1/alerts: newest first, deliveries by host only, bounded by the token's accounts")
    func api() async throws {
        let fixture = try ServerFixture()
        _ = try await fixture.store.upsertAccount(Account(id: "A", timezone: "UTC", currency: "USD", portfolio: "P"))
        _ = try await fixture.store.upsertAccount(Account(id: "C", timezone: "UTC", currency: "USD"))
        _ = try await fixture.store.raiseAlerts(
            [
                (
                    Alert(id: "a", kind: .unratedRising, account: "A", month: "2026-09", raisedAt: 5, message: "A!"),
                    [AlertTarget(url: "https://hooks.slack.com/services/T0/B0/SECRET", format: .slack)]
                ),
                (Alert(id: "p", kind: .budgetSpend, portfolio: "P", month: "2026-09", raisedAt: 6, message: "P!"), []),
                (Alert(id: "c", kind: .webhooksStopped, account: "C", raisedAt: 7, message: "C!"), []),
            ], now: 7)
        let secret = APITokenSecret.generate()
        try await fixture.store.createToken(
            APIToken(name: "p", scope: .portfolio("P"), hash: APITokenSecret.hash(secret), createdAt: 0, expiresAt: nil)
        )
        try await fixture.app().test(.router) { client in
            let admin: HTTPFields = [.authorization: "Bearer \(ServerFixture.apiToken)"]
            try await client.execute(uri: "/api/v1/alerts", method: .get, headers: admin) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(!text.contains("SECRET"))
                let object = try #require(
                    try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let alerts = try #require(object["alerts"] as? [[String: Any]])
                #expect(alerts.map { $0["id"] as? String } == ["c", "p", "a"])
                let delivery = try #require((alerts[2]["deliveries"] as? [[String: Any]])?.first)
                #expect(delivery["host"] as? String == "hooks.slack.com")
                #expect(delivery["format"] as? String == "slack" && delivery["attempts"] as? Int == 0)
            }
            let scoped: HTTPFields = [.authorization: "Bearer \(secret)"]
            try await client.execute(uri: "/api/v1/alerts", method: .get, headers: scoped) { response in
                let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect((object?["alerts"] as? [[String: Any]])?.map { $0["id"] as? String } == ["p", "a"])
            }
            try await client.execute(uri: "/api/v1/alerts?account=C", method: .get, headers: scoped) {
                #expect($0.status == .notFound)
            }
            for bad in ["limit=0", "limit=x", "since=1"] {
                try await client.execute(uri: "/api/v1/alerts?\(bad)", method: .get, headers: admin) {
                    #expect($0.status == .badRequest, "\(bad)")
                }
            }
            // The overview lists them.
            let cookie = try await DashboardTests.signIn(client)
            try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]) {
                let page = String(buffer: $0.body)
                #expect(page.contains("<h2>Alerts</h2>"))
                #expect(page.contains("webhooks stopped") && page.contains("C!"))
                #expect(page.contains("portfolio P"))
            }
        }
    }
}
