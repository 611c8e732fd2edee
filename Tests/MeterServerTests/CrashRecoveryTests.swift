import AsyncHTTPClient
import Foundation
import MeterCore
import MeterStore
import NIOCore
import TestSupport
import Testing
import WhatsAppWebhook

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the real `wameter serve` binary on loopback.
final class ServerProcess: @unchecked Sendable {
    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/wameter")

    let process = Process()
    let port: Int

    convenience init(
        database: URL, port: Int, log: URL, environment extra: [String: String] = [:], logLevel: String = "warning"
    ) throws {
        try self.init(database: database.path, port: port, log: log, environment: extra, logLevel: logLevel)
    }

    /// `database` is a SQLite path or a `postgres://` URL; `extra` adds to the environment.
    init(
        database: String, port: Int, log: URL, environment extra: [String: String] = [:],
        logLevel: String = "warning"
    ) throws {
        self.port = port
        process.executableURL = Self.binary
        process.arguments = ["serve", "--database", database, "--port", String(port), "--log-level", logLevel]
        var environment = ProcessInfo.processInfo.environment
        environment["WAMETER_APP_SECRET"] = ServerFixture.secret
        environment["WAMETER_VERIFY_TOKEN"] = "verify-me"
        environment["WAMETER_API_TOKEN"] = ServerFixture.apiToken
        environment.merge(extra) { $1 }
        process.environment = environment
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// Waits until `/health` answers 200.
    func waitUntilHealthy(_ client: HTTPClient) async throws {
        try await Self.waitUntilHealthy(port: port, client)
    }

    static func waitUntilHealthy(port: Int, _ client: HTTPClient) async throws {
        for _ in 0..<200 {
            if let response = try? await client.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/health"), timeout: .seconds(1)),
                response.status == .ok
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CancellationError()
    }

    /// Sends `signal` and returns (SIGSTOP freezes the server, SIGCONT resumes it).
    func signal(_ signal: Int32) {
        _ = Glibc.kill(process.processIdentifier, signal)
    }

    func kill(_ signal: Int32) {
        _ = Glibc.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }
}

actor Acknowledgements {
    private(set) var acknowledged: Set<Int> = []
    /// Set once the server is killed: nothing more is sent until it is back (as Meta backs off).
    private(set) var stopped = false
    func add(_ index: Int) { acknowledged.insert(index) }
    func stop() { stopped = true }
    var count: Int { acknowledged.count }
}

@Suite("Live server on loopback", .serialized)
struct CrashRecoveryTests {
    static func post(_ body: Data, to port: Int, client: HTTPClient) async -> Bool {
        // A short deadline: the HTTP client keeps retrying a refused connection until the deadline.
        await postStatus(body, to: port, client: client, timeout: .seconds(2)) == 200
    }

    /// POSTs a body signed as Meta does; the status, or nil when no HTTP answer came in time.
    static func postStatus(
        _ body: Data, to port: Int, client: HTTPClient = .shared, timeout: TimeAmount = .seconds(10)
    ) async -> Int? {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhook")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(
            name: "X-Hub-Signature-256", value: WebhookSignature.header(for: body, appSecret: ServerFixture.secret))
        request.body = .bytes(ByteBuffer(data: body))
        guard let response = try? await client.execute(request, timeout: timeout) else { return nil }
        return Int(response.status.code)
    }

    /// Statuses for `count` messages across two months, in an order a retrying Meta could produce.
    static func bodies(_ count: Int) -> [Data] {
        var bodies: [Data] = []
        for n in 0..<count {
            let sent = 1_753_900_000 + Int64(n) * 97  // late July 2025, crossing into August
            let category = ["marketing", "utility", "authentication"][n % 3]
            bodies.append(LedgerScenario.status("live\(n)", "sent", at: sent, pricing: LedgerScenario.pmp(category)))
            if n % 5 != 0 {
                bodies.append(
                    LedgerScenario.status("live\(n)", "delivered", at: sent + 40, pricing: LedgerScenario.pmp(category))
                )
            }
            if n % 2 == 0 { bodies.append(LedgerScenario.status("live\(n)", "read", at: sent + 400)) }
        }
        var rng = SystemRandomNumberGenerator()
        return bodies.shuffled(using: &rng)
    }

    @Test("SIGKILL under load, restart, re-send what was not acknowledged: the ledger equals an uninterrupted run's")
    func crashAndResend() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ServerProcess.binary.path), "build wameter first")
        let directory = try TestFiles.directory("crash")
        let database = directory.appendingPathComponent("ledger.sqlite")
        let log = directory.appendingPathComponent("server.log")
        let port = try LoopbackPort.free()
        let bodies = Self.bodies(400)
        let client = HTTPClient.shared

        let first = try ServerProcess(database: database, port: port, log: log)
        try await first.waitUntilHealthy(client)
        let acknowledgements = Acknowledgements()
        let killAfter = bodies.count / 3
        try await withThrowingTaskGroup(of: Void.self) { group in
            let next = Counter()
            for _ in 0..<16 {
                group.addTask {
                    while await !acknowledgements.stopped, let index = await next.take(below: bodies.count) {
                        if await Self.post(bodies[index], to: port, client: client) {
                            await acknowledgements.add(index)
                        }
                    }
                }
            }
            group.addTask {
                while await acknowledgements.count < killAfter { try await Task.sleep(for: .milliseconds(2)) }
                first.kill(SIGKILL)
                await acknowledgements.stop()
            }
            try await group.waitForAll()
        }
        let acknowledgedBeforeCrash = await acknowledgements.acknowledged
        #expect(acknowledgedBeforeCrash.count >= killAfter)
        #expect(acknowledgedBeforeCrash.count < bodies.count, "the server was killed before the load ended")

        // Meta re-sends whatever was not acknowledged.
        let second = try ServerProcess(database: database, port: port, log: log)
        try await second.waitUntilHealthy(client)
        for index in bodies.indices where !acknowledgedBeforeCrash.contains(index) {
            var delivered = false
            for _ in 0..<5 where !delivered { delivered = await Self.post(bodies[index], to: port, client: client) }
            #expect(delivered)
        }

        let reference = try SQLiteLedgerStore()
        try await LedgerScenario.ingest(reference, bodies)
        for month in ["2025-07", "2025-08"] {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/accounts/A/report?month=\(month)")
            request.headers.add(name: "Authorization", value: "Bearer \(ServerFixture.apiToken)")
            let response = try await client.execute(request, timeout: .seconds(10))
            #expect(response.status == .ok)
            let served = try await response.body.collect(upTo: 1 << 20)
            let expected = try await reference.report(
                accountID: "A", month: YearMonth(month)!, now: Int64(Date().timeIntervalSince1970))
            let servedReport = try JSONDecoder().decode(ReportJSON.self, from: Data(buffer: served))
            #expect(servedReport == ReportJSON(expected), "month \(month)")
        }

        // Graceful stop: SIGTERM ends the process cleanly.
        second.kill(SIGTERM)
        #expect(second.process.terminationStatus == 0)
    }
}

actor Counter {
    private var value = 0
    func take(below limit: Int) -> Int? {
        guard value < limit else { return nil }
        defer { value += 1 }
        return value
    }
}
