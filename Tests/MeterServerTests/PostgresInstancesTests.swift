import AsyncHTTPClient
import Foundation
import MeterCore
import MeterStore
import NIOCore
import TestSupport
import Testing
import TrafficSimulator
import WhatsAppWebhook

#if canImport(Glibc)
    import Glibc
#endif

/// Real `wameter serve` processes on one PostgreSQL database.
@Suite("Several servers on PostgreSQL", .serialized, .enabled(if: StoreBackend.postgresURL != nil))
struct PostgresInstancesTests {
    static let months = ["2026-03", "2026-04"]

    /// Simulated traffic from 2026-03-20, so that it crosses into April.
    static func traffic(_ count: Int) -> [Data] {
        var simulator = TrafficSimulator(SimulationSettings(seed: 21, start: 1_773_964_800, meanGapSeconds: 60))
        return (0..<count).map { _ in simulator.next().bytes }
    }

    /// The ledger one SQLite instance keeps for the same bodies.
    static func reference(_ bodies: [Data]) async throws -> any LedgerStore {
        let store = try await StoreBackend.sqlite.makeStore(accounts: SimulatedAccount.demo.map(\.account))
        try await LedgerScenario.ingest(store, bodies)
        return store
    }

    /// The demo accounts, added with the CLI (which therefore runs on PostgreSQL too).
    static func addAccounts(database url: String) throws {
        for account in SimulatedAccount.demo {
            let added = try SimulatorLiveTests.wameter([
                "accounts", "add", account.id, "--timezone", account.timezone, "--currency", account.currency,
                "--portfolio", account.portfolio ?? "", "--database", url,
            ])
            #expect(added.status == 0, "\(added.output)")
        }
    }

    static func post(_ body: Data, to port: Int) async -> Int? {
        await CrashRecoveryTests.postStatus(body, to: port)
    }

    static func health(_ port: Int) async -> (status: Int, body: String)? {
        guard
            let response = try? await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/health"), timeout: .seconds(10)),
            let body = try? await response.body.collect(upTo: 1 << 16)
        else { return nil }
        return (Int(response.status.code), String(buffer: body))
    }

    /// Every account's report for every month, as served, against the reference's.
    static func expectSameLedger(served port: Int, as reference: any LedgerStore) async throws {
        for account in SimulatedAccount.demo {
            for month in months {
                var request = HTTPClientRequest(
                    url: "http://127.0.0.1:\(port)/api/v1/accounts/\(account.id)/report?month=\(month)")
                request.headers.add(name: "Authorization", value: "Bearer \(ServerFixture.apiToken)")
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                #expect(response.status == .ok)
                let served = try JSONDecoder().decode(
                    ReportJSON.self, from: Data(buffer: try await response.body.collect(upTo: 1 << 22)))
                // Asked at the same time as the server (pending versus dropped depends on it; the
                // traffic is months old, so seconds apart cannot change it).
                let expected = try await reference.report(
                    accountID: account.id, month: YearMonth(month)!, now: Int64(Date().timeIntervalSince1970))
                #expect(served == ReportJSON(expected), "account \(account.id), \(month), port \(port)")
            }
        }
    }

    static func temporaryDirectory() throws -> URL {
        try TestFiles.directory("postgres-live")
    }

    @Test("two servers on one database, given the same and different deliveries at once, keep one instance's ledger")
    func twoServers() async throws {
        let url = try StoreBackend.url(for: try StoreBackend.freshSchemaSettings())
        let directory = try Self.temporaryDirectory()
        // Both start at once on an empty schema: their migrations must not collide.
        let ports = [try LoopbackPort.free(), try LoopbackPort.free()]
        let servers = try ports.enumerated().map {
            try ServerProcess(database: url, port: $1, log: directory.appendingPathComponent("server\($0).log"))
        }
        for server in servers { try await server.waitUntilHealthy(HTTPClient.shared) }
        try Self.addAccounts(database: url)

        // A third of the bodies reach one server, a third the other, a third both (Meta delivers to
        // every subscribed app, and retries), sixteen requests in flight at a time.
        let bodies = Self.traffic(1_500)
        let deliveries = bodies.indices.flatMap { index -> [(body: Int, port: Int)] in
            switch index % 3 {
            case 0: [(index, ports[0])]
            case 1: [(index, ports[1])]
            default: [(index, ports[0]), (index, ports[1])]
            }
        }
        let next = Counter()
        let failures = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    var failed = 0
                    while let n = await next.take(below: deliveries.count) {
                        if await Self.post(bodies[deliveries[n].body], to: deliveries[n].port) != 200 { failed += 1 }
                    }
                    return failed
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(failures == 0)

        let reference = try await Self.reference(bodies)
        for port in ports { try await Self.expectSameLedger(served: port, as: reference) }
        for server in servers {
            server.kill(SIGTERM)
            #expect(server.process.terminationStatus == 0)
        }
    }

    @Test(
        "database stopped and restarted under load: 503 while it is down, /health says so, nothing acknowledged is lost, and the server recovers by itself",
        .enabled(if: ThrowawayPostgres.binaries != nil))
    func databaseOutage() async throws {
        let cluster = try ThrowawayPostgres()
        defer { cluster.destroy() }
        let directory = try Self.temporaryDirectory()
        let port = try LoopbackPort.free()
        let server = try ServerProcess(
            database: cluster.url + "&operation_timeout=1", port: port,
            log: directory.appendingPathComponent("server.log"))
        defer { server.kill(SIGKILL) }
        try await server.waitUntilHealthy(HTTPClient.shared)
        try Self.addAccounts(database: cluster.url)

        // Enough bodies, at a bounded pace, that deliveries are still arriving while the database
        // is down and after it is back.
        let bodies = Self.traffic(2_000)
        let acknowledgements = Acknowledgements()
        let outage = OutageLog()
        let next = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    while let index = await next.take(below: bodies.count) {
                        let status = await Self.post(bodies[index], to: port)
                        if status == 200 { await acknowledgements.add(index) } else { await outage.record(status) }
                        // Deliveries keep coming at a steady pace while the database is away.
                        try await Task.sleep(for: .milliseconds(10))
                    }
                }
            }
            group.addTask {
                while await acknowledgements.count < 250 { try await Task.sleep(for: .milliseconds(5)) }
                try cluster.stop()
                // While it is down: deliveries are refused with 503 and /health reports the database.
                let deadline = ContinuousClock.now + .seconds(30)
                while await outage.serviceUnavailable == 0, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                await outage.health(await Self.health(port))
                try await Task.sleep(for: .seconds(1))
                try cluster.start()
            }
            try await group.waitForAll()
        }
        let health = await outage.healthWhileDown
        #expect(health?.status == 503)
        #expect(health?.body.contains(#""database":"unreachable""#) == true)
        #expect(await outage.serviceUnavailable > 0)
        #expect(await outage.other == [], "only 503 while the database was down")

        // Recovery without a restart of the server.
        var recovered = false
        for _ in 0..<300 where !recovered {
            recovered = await Self.health(port)?.status == 200
            if !recovered { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(recovered)

        // Meta re-sends what was not acknowledged; what was acknowledged must already be there.
        let acknowledged = await acknowledgements.acknowledged
        #expect(acknowledged.count < bodies.count, "some deliveries met the outage")
        for index in bodies.indices where !acknowledged.contains(index) {
            var status: Int? = nil
            for _ in 0..<5 where status != 200 { status = await Self.post(bodies[index], to: port) }
            #expect(status == 200)
        }
        try await Self.expectSameLedger(served: port, as: try await Self.reference(bodies))
    }
}

/// What the load saw while the database was away.
actor OutageLog {
    private(set) var serviceUnavailable = 0
    private(set) var other: [Int?] = []
    private(set) var healthWhileDown: (status: Int, body: String)?

    func record(_ status: Int?) {
        if status == 503 { serviceUnavailable += 1 } else { other.append(status) }
    }

    func health(_ answer: (status: Int, body: String)?) { healthWhileDown = answer }
}
