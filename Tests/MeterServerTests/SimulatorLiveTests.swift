import AsyncHTTPClient
import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing
import WhatsAppWebhook

#if canImport(Glibc)
    import Glibc
#endif

/// `wameter simulate --url` and `wameter demo`, as processes talking to a real server on loopback.
@Suite("Simulator and demo, live on loopback", .serialized)
struct SimulatorLiveTests {
    struct Run {
        var status: Int32
        var output: String
    }

    static func wameter(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    @Test("signed POSTs from the simulator are all acknowledged, and give the ledger its JSONL twin gives")
    func postsEqualFile() async throws {
        let directory = try TestFiles.directory("simulator")
        let port = try LoopbackPort.free()
        let server = try ServerProcess(
            database: directory.appendingPathComponent("served.sqlite"), port: port,
            log: directory.appendingPathComponent("server.log"))
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        try await server.waitUntilHealthy(client)
        let common = ["--count", "400", "--seed", "11", "--start", "2026-03-01", "--days", "10"]
        let posted = try Self.wameter(
            [
                "simulate", "--url", "http://127.0.0.1:\(port)/webhook", "--concurrency", "4", "--app-secret",
                ServerFixture.secret,
            ]
                + common)
        #expect(posted.status == 0, "\(posted.output)")
        #expect(posted.output.contains("400 × 200"))

        // The same traffic as a file, ingested by the CLI into another database.
        let file = directory.appendingPathComponent("traffic.jsonl")
        let written = try Self.wameter(["simulate", "--out", file.path] + common)
        #expect(written.status == 0)
        let fileDatabase = directory.appendingPathComponent("file.sqlite").path
        #expect(try Self.wameter(["ingest", file.path, "--database", fileDatabase, "--quiet"]).status == 0)

        for account in ["100000000000001", "100000000000002", "100000000000003"] {
            var request = HTTPClientRequest(
                url: "http://127.0.0.1:\(port)/api/v1/accounts/\(account)/report?month=2026-03")
            request.headers.add(name: "Authorization", value: "Bearer \(ServerFixture.apiToken)")
            let response = try await client.execute(request, timeout: .seconds(10))
            let served = try JSONDecoder().decode(
                ReportJSON.self, from: Data(buffer: try await response.body.collect(upTo: 1 << 20)))
            let fromFile = try await SQLiteLedgerStore(path: fileDatabase).report(
                accountID: account, month: YearMonth("2026-03")!, now: Int64(Date().timeIntervalSince1970))
            #expect(served == ReportJSON(fromFile))
            #expect(served.messages.sent > 0)
        }
        server.kill(SIGTERM)
        try await client.shutdown()
    }

    @Test("demo: serves, feeds itself signed webhooks, and stops cleanly on Ctrl-C")
    func demo() async throws {
        let port = try LoopbackPort.free()
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = ["demo", "--port", String(port), "--rate", "100", "--seed", "3"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        try await ServerProcess.waitUntilHealthy(port: port, client)
        try await Task.sleep(for: .seconds(2))
        _ = Glibc.kill(process.processIdentifier, SIGINT)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try await client.shutdown()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("wameter demo: serving on http://127.0.0.1:\(port)"))
        #expect(output.contains("/api/v1/accounts/100000000000001/report?month="))
        #expect(output.contains("× 200"))
        #expect(!output.contains("without response"))
    }
}
