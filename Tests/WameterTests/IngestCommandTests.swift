import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing

@testable import wameter

/// The package root, found from this file, and the built `wameter` binary in it.
enum Package {
    static let root = Fixtures.packageRoot
    static let binary = root.appendingPathComponent(".build/debug/wameter")

    static func temporaryDirectory() throws -> URL {
        try TestFiles.directory("command")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the real executable, as a user would.
    static func run(
        _ arguments: [String], database: URL, stdin: Data? = nil, environment: [String: String] = [:]
    ) throws -> Result {
        try run(arguments, database: database.path, stdin: stdin, environment: environment)
    }

    /// Runs the real executable on a SQLite path or `postgres://` URL (as `WAMETER_DATABASE`).
    static func run(
        _ arguments: [String], database: String, stdin: Data? = nil, environment extra: [String: String] = [:]
    ) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["WAMETER_DATABASE"] = database
        environment.merge(extra) { $1 }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData, as: UTF8.self))
    }
}

@Suite("wameter ingest")
struct IngestCommandTests {
    static let good = LedgerScenario.status(
        "m1", "delivered", at: 1_752_577_200, pricing: LedgerScenario.pmp("marketing"))
    static let good2 = LedgerScenario.status(
        "m2", "delivered", at: 1_752_577_200, pricing: LedgerScenario.pmp("utility"))

    func file(_ lines: [String]) throws -> URL {
        let url = try Package.temporaryDirectory().appendingPathComponent("bodies.jsonl")
        try Data(lines.joined(separator: "\n").utf8).write(to: url)
        return url
    }

    @Test("invalid lines are reported with their number and reason; valid ones are stored; nothing of a bad body is")
    func invalidLines() async throws {
        // Line 3 starts like a valid body (a good status) and then breaks: none of it may be stored.
        let broken =
            #"{"object":"whatsapp_business_account","entry":[{"id":"A","changes":[{"field":"messages","value":{"statuses":[{"id":"m9","status":"delivered","timestamp":"1752577200","recipient_id":"1"},{"status":"sent"}]}}]}]}"#
        let url = try file([
            String(decoding: Self.good, as: UTF8.self), "not json at all", broken, "",
            String(decoding: Self.good2, as: UTF8.self), #"{"object":"page","entry":[]}"#,
        ])
        let store = try SQLiteLedgerStore()
        let ingestor = JSONLIngestor(store: store, source: "file:test", onPremisesAccount: "on-premises")
        let summary = try await ingestor.run(try FileHandle(forReadingFrom: url), receivedAt: 0)
        #expect(summary.problems.map(\.line) == [2, 3, 6])
        #expect(summary.problems[0].reason.hasPrefix("not JSON"))
        #expect(summary.problems[1].reason.contains("statuses[1].id: missing"))
        #expect(summary.problems[2].reason.contains("not a WhatsApp webhook"))
        #expect(summary.outcome.bodies == 2)
        #expect(try await store.archivedBodyCount() == 2)
        let report = try await LedgerScenario.report(store, "A", "2025-07")
        #expect(report.messages.delivered == 2)  // m1 and m2, not m9 from the broken line
    }

    @Test(
        "the executable: a timestamp past 2099 is reported, its batch's valid lines kept, a zone change does not crash")
    func hostileTimestamp() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Package.binary.path), "build wameter first")
        let directory = try Package.temporaryDirectory()
        let database = directory.appendingPathComponent("ledger.sqlite")
        let hostile = String(decoding: Self.good, as: UTF8.self).replacingOccurrences(
            of: "\"1752577200\"", with: "\"7000000000000\"")
        #expect(hostile != String(decoding: Self.good, as: UTF8.self))
        let url = try file([
            String(decoding: Self.good, as: UTF8.self), hostile, String(decoding: Self.good2, as: UTF8.self),
        ])
        let ingest = try Package.run(["ingest", url.path, "--quiet"], database: database)
        // Before the input rules, this line overflowed the calendar and killed the process (SIGILL).
        #expect(ingest.status == 1)
        #expect(ingest.stderr.contains("bodies.jsonl:2: malformed WhatsApp webhook"))
        #expect(ingest.stderr.contains("7000000000000 is outside 2009-01-01 to 2099-12-31"))
        #expect(ingest.stdout.contains("ingested 2 bodies"))
        let add = try Package.run(
            ["accounts", "add", "A", "--timezone", "Asia/Kolkata", "--currency", "USD"], database: database)
        #expect(add.status == 0, "\(add.stderr)")
        let report = try Package.run(
            ["report", "--account", "A", "--month", "2025-07", "--format", "json"], database: database)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        #expect((json["messages"] as? [String: Any])?["delivered"] as? Int == 2)
        let badAccount = try Package.run(
            ["accounts", "add", "a/b", "--timezone", "UTC", "--currency", "USD"], database: database)
        #expect(badAccount.status != 0)
    }

    @Test("simulate --out writes in place: an existing file keeps its inode (so /dev/null stays a device)")
    func simulateWritesInPlace() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Package.binary.path), "build wameter first")
        let url = try Package.temporaryDirectory().appendingPathComponent("out.jsonl")
        try Data("old".utf8).write(to: url)
        let inode = try FileManager.default.attributesOfItem(atPath: url.path)[.systemFileNumber] as? Int
        let result = try Package.run(
            ["simulate", "--out", url.path, "--count", "20", "--quiet"], database: url.deletingLastPathComponent().path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try FileManager.default.attributesOfItem(atPath: url.path)[.systemFileNumber] as? Int == inode)
        #expect(try String(contentsOf: url, encoding: .utf8).split(separator: "\n").count == 20)
    }

    @Test(
        "a batch size that is zero, negative, not a number or too large for an integer is refused by ingest and migrate, naming the flag, and nothing is stored",
        arguments: ["0", "-5", "lots", "99999999999999999999"])
    func badBatchSize(_ value: String) throws {
        let directory = try Package.temporaryDirectory()
        let database = directory.appendingPathComponent("ledger.sqlite")
        let file = directory.appendingPathComponent("bodies.jsonl")
        try LedgerScenario.status("m1", "delivered", at: 1_772_000_000, pricing: LedgerScenario.pmp("utility"))
            .write(to: file)
        let ingest = try Package.run(["ingest", file.path, "--batch-size", value], database: database)
        #expect(ingest.status != 0)
        #expect(ingest.stderr.contains("--batch-size"), "\(ingest.stderr)")
        #expect(!FileManager.default.fileExists(atPath: database.path))
        let copy = directory.appendingPathComponent("copy.sqlite")
        #expect(try Package.run(["ingest", file.path, "--quiet"], database: database).status == 0)
        let migrate = try Package.run(["migrate", "--to", copy.path, "--batch-size", value], database: database)
        #expect(migrate.status != 0)
        #expect(migrate.stderr.contains("--batch-size"), "\(migrate.stderr)")
        #expect(!FileManager.default.fileExists(atPath: copy.path))
    }

    @Test("bodies are committed in batches, and every batch lands")
    func batches() async throws {
        let lines = (0..<25).map {
            String(
                decoding: LedgerScenario.status(
                    "m\($0)", "sent", at: 1_752_577_200 + Int64($0), pricing: LedgerScenario.pmp("marketing")),
                as: UTF8.self)
        }
        let store = try SQLiteLedgerStore()
        var ingestor = JSONLIngestor(store: store, source: "file:test", onPremisesAccount: "on-premises")
        ingestor.batchSize = 4
        let summary = try await ingestor.run(try FileHandle(forReadingFrom: try file(lines)), receivedAt: 0)
        #expect(summary.outcome.bodies == 25)
        #expect(summary.outcome.statusEvents == 25)
        #expect(try await LedgerScenario.report(store, "A", "2025-07").messages.sent == 25)
    }

    @Test("the executable: exit status 1 and file:line messages for invalid lines; a second run changes no count")
    func executable() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Package.binary.path), "build wameter first")
        let directory = try Package.temporaryDirectory()
        let database = directory.appendingPathComponent("ledger.sqlite")
        let url = try file([String(decoding: Self.good, as: UTF8.self), "{oops"])
        let first = try Package.run(["ingest", url.path, "--quiet"], database: database)
        #expect(first.status == 1)
        #expect(first.stderr.contains("bodies.jsonl:2: not JSON"))
        #expect(first.stderr.contains("warning: account A was not added"))
        #expect(first.stdout.contains("ingested 1 bodies"))
        #expect(!first.stdout.contains("already in the ledger"))
        let second = try Package.run(["ingest", "-", "--quiet"], database: database, stdin: Self.good)
        #expect(second.status == 0)
        #expect(second.stdout.contains("ingested 1 bodies from stdin"))
        // Says so when the run changed nothing, instead of the same summary as the first time.
        #expect(second.stdout.contains("every status and message was already in the ledger: no count changed"))
        let report = try Package.run(
            ["report", "--account", "A", "--month", "2025-07", "--format", "json"], database: database)
        #expect(report.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        #expect((json["messages"] as? [String: Any])?["delivered"] as? Int == 1)
    }

    @Test("the executable rejects bad arguments with a clear message")
    func badArguments() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Package.binary.path), "build wameter first")
        let database = try Package.temporaryDirectory().appendingPathComponent("ledger.sqlite")
        // A usage mistake: exit 64, with the usage text.
        let month = try Package.run(["report", "--account", "A", "--month", "2026-13"], database: database)
        #expect(month.status == 64)
        #expect(month.stderr.contains("--month must be YYYY-MM"))
        #expect(month.stderr.contains("Usage:"))
        // A command that cannot do its work: exit 1, the reason, no usage text.
        #expect(
            try Package.run(["accounts", "add", "1", "--timezone", "UTC", "--currency", "USD"], database: database)
                .status == 0)
        let unknown = try Package.run(["report", "--account", "nobody", "--month", "2026-01"], database: database)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("unknown account nobody"))
        #expect(!unknown.stderr.contains("Usage:"))
        let missing = try Package.run(["ingest", database.path + ".missing.jsonl"], database: database)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no such file"))
        let directory = try Package.run(["ingest", database.deletingLastPathComponent().path], database: database)
        #expect(directory.status == 1)
        #expect(directory.stderr.contains("it is a directory"))
        #expect(!directory.stderr.contains("NSCocoaErrorDomain"))
        let card = try Package.run(["rates", "import", database.path + ".missing.csv"], database: database)
        #expect(card.status == 1)
        #expect(card.stderr.contains("no such file"))
        let zone = try Package.run(
            ["accounts", "add", "X", "--timezone", "Mars/Base", "--currency", "USD"], database: database)
        #expect(zone.status == 64)
        #expect(zone.stderr.contains("unknown time zone"))
        let abbreviation = try Package.run(
            ["accounts", "add", "X", "--timezone", "IST", "--currency", "XYZ"], database: database)
        #expect(abbreviation.status == 64)
        #expect(abbreviation.stderr.contains(#"unknown time zone "IST""#))
        #expect(abbreviation.stderr.contains(#"currency "XYZ" is not an ISO 4217 code"#))
        // Case is only spelling: stored as IANA and ISO spell them.
        let lenient = try Package.run(
            ["accounts", "add", "X", "--timezone", "asia/kolkata", "--currency", "inr"], database: database)
        #expect(lenient.status == 0)
        #expect(lenient.stdout.contains("added account X (Asia/Kolkata, INR)"))
    }

    @Test("accounts add, list, rates import and a rated report through the executable")
    func endToEnd() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Package.binary.path), "build wameter first")
        let directory = try Package.temporaryDirectory()
        let database = directory.appendingPathComponent("ledger.sqlite")
        #expect(
            try Package.run(
                ["accounts", "add", "A", "--timezone", "Asia/Kolkata", "--currency", "USD", "--name", "Shop"],
                database: database
            ).status == 0)
        _ = try Package.run(["ingest", "-", "--quiet"], database: database, stdin: Self.good)
        // No built-in card prices messages of 2025-07 (none was found): said first, never a cost of 0.
        let unpriced = try Package.run(["report", "--account", "A", "--month", "2025-07"], database: database)
        let lines = unpriced.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines[1]
                == "warning: 1 charged unit(s) have no USD rate for 2025-07 and are not in the total: marketing in "
                + "India. Import the USD card in force in 2025-07 (`wameter rates coverage`, docs/rates.md).")
        #expect(lines.contains { $0.hasPrefix("message  marketing  India") && $0.hasSuffix("unrated (1)") })
        #expect(lines.contains { $0.hasPrefix("total") && $0.hasSuffix("unrated (1) USD") })
        let json = try Package.run(
            ["report", "--account", "A", "--month", "2025-07", "--format", "json"], database: database)
        let report = try JSONDecoder().decode(ReportJSON.self, from: Data(json.stdout.utf8))
        #expect(report.byMarket["India"] == .init(charged: 1, cost: "0", unrated: 1))
        #expect(report.messages.byCategory["marketing"]?.unrated == 1)
        #expect(report.rateCards.isEmpty)
        let gaps = try Package.run(["rates", "coverage", "--from", "2025-06", "--to", "2025-07"], database: database)
        #expect(
            gaps.stdout.contains("USD       2025-07  message  marketing  India   1        A         none"),
            "\(gaps.stdout)")
        let gapsJSON = try Package.run(
            ["rates", "coverage", "--from", "2025-07", "--format", "json"], database: database)
        #expect(
            try JSONDecoder().decode([RateCoverage.Gap].self, from: Data(gapsJSON.stdout.utf8)) == [
                RateCoverage.Gap(
                    currency: "USD", month: "2025-07", kind: "message", market: "India", category: "marketing",
                    unrated: 1, accounts: ["A"], card: nil)
            ])

        let rates = directory.appendingPathComponent("rates.csv")
        try Data("effective_from,currency,market,category,rate\n2025-07-01,USD,India,marketing,0.0107\n".utf8).write(
            to: rates)
        let imported = try Package.run(["rates", "import", rates.path], database: database)
        #expect(imported.stdout.contains("imported 1 rate(s)"))
        #expect(
            try Package.run(["rates", "coverage", "--from", "2025-07"], database: database).stdout
                == "every charged unit from 2025-07 to 2025-07 has a rate (1 account-month(s))\n")
        let table = try Package.run(["report", "--account", "A", "--month", "2025-07"], database: database)
        #expect(table.stdout.contains("India"))
        #expect(table.stdout.contains("0.0107 USD"))
        let csv = try Package.run(
            ["report", "--account", "A", "--month", "2025-07", "--format", "csv"], database: database)
        #expect(csv.stdout.contains("A,2025-07,message,marketing,India,IN,1,1,0.0107,USD"))
        let list = try Package.run(["accounts", "list"], database: database)
        #expect(list.stdout.contains("Shop"))
        #expect(list.stdout.contains("Asia/Kolkata"))
        let rebuilt = try Package.run(["rebuild"], database: database)
        #expect(rebuilt.stdout.contains("rebuilt from 1 archived bodies"))
    }
}
