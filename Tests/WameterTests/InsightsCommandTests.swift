import Foundation
import TestSupport
import Testing

/// `wameter insights` as a user runs it: a table with totals first and subtotals, CSV and JSON, and
/// mistakes told apart (usage: 64 with the usage text; a scope that does not exist: 1).
@Suite("insights command")
struct InsightsCommandTests {
    static func database() throws -> URL {
        let database = try Package.temporaryDirectory().appendingPathComponent("ledger.sqlite")
        let add = try Package.run(
            ["accounts", "add", "A", "--timezone", "UTC", "--currency", "USD"], database: database)
        #expect(add.status == 0)
        let t = utc("2026-02-10T10:00:00Z")
        let bodies = [
            LedgerScenario.status("m1", "delivered", at: t, pricing: LedgerScenario.pmp("marketing"), phone: "P1"),
            LedgerScenario.status(
                "m2", "delivered", at: t + 60, to: "5511987654321", pricing: LedgerScenario.pmp("marketing"),
                phone: "P1"),
            LedgerScenario.status(
                "m3", "delivered", at: t + 86_400,
                pricing: LedgerScenario.pmp("utility", type: "free_customer_service"),
                phone: "P2"),
        ]
        let lines = bodies.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n") + "\n"
        let ingest = try Package.run(["ingest", "-", "--quiet"], database: database, stdin: Data(lines.utf8))
        #expect(ingest.status == 0, "\(ingest.stderr)")
        return database
    }

    @Test("table: totals, then the breakdown with a subtotal per day; CSV one line per row")
    func outputs() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Package.binary.path), "build wameter first")
        let database = try Self.database()
        let table = try Package.run(
            [
                "insights", "--account", "A", "--from", "2026-02-10", "--to", "2026-02-11", "--granularity", "day",
                "--by", "phone,country",
            ], database: database)
        #expect(table.status == 0, "\(table.stderr)")
        let text = table.stdout
        #expect(text.hasPrefix("wameter insights  2026-02-10..2026-02-11  account A\n"))
        #expect(
            text.contains(
                "Total (USD)\n  messages       sent 3  delivered 3  read 0  failed 0  received 0  charged 2  free 1"))
        #expect(text.contains("By day × phone × country\n"))
        #expect(text.contains("subtotal"))
        // The marketing rate for Brazil is not on the built-in card: the cost is marked.
        let csv = try Package.run(
            ["insights", "--account", "A", "--from", "2026-02", "--by", "phone,pricing_type", "--format", "csv"],
            database: database)
        #expect(csv.status == 0)
        #expect(
            csv.stdout.split(separator: "\n").map { String($0.prefix(while: { $0 != "," })) }
                == ["period"] + Array(repeating: "2026-02-01..2026-02-28", count: 4))
        // Sending has no pricing type: P1 and P2 each have a row without one.
        #expect(csv.stdout.contains("2026-02-01..2026-02-28,USD,P1,15550000001,,2,0,"))
        #expect(csv.stdout.contains("2026-02-01..2026-02-28,USD,P1,15550000001,regular,0,2,0,0,0,2,0,"))
        #expect(csv.stdout.contains(",P2,15550000002,free_customer_service,0,1,0,0,0,0,1,"))
        let json = try Package.run(
            ["insights", "--account", "A", "--from", "2026-02", "--format", "json", "--country", "in"],
            database: database)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["filters"] as? [String: [String]] == ["country": ["IN"]])
        let totals = try #require(object["totals"] as? [[String: Any]])
        #expect((totals.first?["messages"] as? [String: Any])?["delivered"] as? Int == 2)
    }

    @Test("mistakes: usage errors exit 64 with the usage text, a scope that does not exist exits 1")
    func mistakes() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Package.binary.path), "build wameter first")
        let database = try Self.database()
        let noScope = try Package.run(["insights", "--from", "2026-02"], database: database)
        #expect(noScope.status == 64)
        #expect(noScope.stderr.contains("give one of --account ID (repeatable), --portfolio NAME or --all"))
        let granularity = try Package.run(
            ["insights", "--all", "--from", "2026-02", "--granularity", "hour", "--by", "colour"], database: database)
        #expect(granularity.status == 64)
        #expect(granularity.stderr.contains(#"granularity must be one of half_hour, day, month, total, got "hour""#))
        #expect(granularity.stderr.contains(#"unknown dimension "colour""#))
        let unknown = try Package.run(["insights", "--account", "B", "--from", "2026-02"], database: database)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("unknown account B"))
        #expect(!unknown.stderr.contains("Usage:"))
        let portfolio = try Package.run(["insights", "--portfolio", "none", "--from", "2026-02"], database: database)
        #expect(portfolio.status == 1)
        #expect(portfolio.stderr.contains("no account is in portfolio none"))
    }
}
