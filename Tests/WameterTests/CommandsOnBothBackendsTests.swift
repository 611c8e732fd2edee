import Foundation
import Logging
import MeterStore
import TestSupport
import Testing

/// Every command that touches the database, run as a user would on each backend: the outputs must
/// be the same, byte for byte (timings aside).
@Suite("Commands on SQLite and PostgreSQL", .enabled(if: StoreBackend.postgresURL != nil))
struct CommandsOnBothBackendsTests {
    static let accounts = [
        ["100000000000001", "--timezone", "Asia/Kolkata", "--currency", "USD", "--portfolio", "demo"],
        ["100000000000002", "--timezone", "America/Sao_Paulo", "--currency", "USD", "--portfolio", "demo"],
    ]
    static let months = ["2026-03", "2026-04"]

    /// A fresh, empty database of the backend's kind.
    static func database(_ backend: StoreBackend, in directory: URL) throws -> String {
        switch backend {
        case .sqlite: directory.appendingPathComponent("\(UUID().uuidString).sqlite").path
        case .postgres: try StoreBackend.url(for: try StoreBackend.freshSchemaSettings())
        }
    }

    /// The outputs of a full session: accounts, rates, ingest, reports in every format, rebuild.
    static func session(on database: String, traffic: URL) throws -> [String] {
        var outputs: [String] = []
        func run(_ arguments: [String]) throws {
            let result = try Package.run(arguments, database: database)
            #expect(result.status == 0, "wameter \(arguments.joined(separator: " ")): \(result.stderr)")
            // Timings differ from run to run; everything else must not.
            outputs.append(
                result.stdout.replacingOccurrences(of: #"[0-9]+\.[0-9]+ s"#, with: "… s", options: .regularExpression))
        }
        for account in accounts { try run(["accounts", "add"] + account) }
        try run(["rates", "import", Package.root.appendingPathComponent("data/rates/rates-USD-2026-01-01.csv").path])
        try run(["rates", "list", "--date", "2026-03-15", "--currency", "USD"])
        try run(["ingest", traffic.path, "--quiet"])
        try run(["accounts", "list"])
        for month in months {
            for account in accounts.map({ $0[0] }) + ["100000000000003"] {
                for format in ["table", "json", "csv"] {
                    try run(["report", "--account", account, "--month", month, "--format", format])
                }
            }
        }
        for format in ["table", "json", "csv"] {
            try run([
                "insights", "--all", "--from", "2026-03", "--to", "2026-04", "--granularity", "month", "--by",
                "account,phone,category", "--format", format,
            ])
        }
        try run([
            "insights", "--portfolio", "demo", "--from", "2026-03-25", "--to", "2026-04-05", "--granularity", "day",
            "--by", "country", "--pricing-type", "regular",
        ])
        try run(["rebuild"])
        try run(["report", "--account", "100000000000001", "--month", "2026-03", "--format", "json"])
        return outputs
    }

    @Test("accounts, rates, ingest, report, rebuild and migrate give the same output on both backends")
    func sameOutputs() async throws {
        let directory = try Package.temporaryDirectory()
        let traffic = directory.appendingPathComponent("traffic.jsonl")
        let simulated = try Package.run(
            ["simulate", "--out", traffic.path, "--count", "1500", "--seed", "5", "--start", "2026-03-25", "--quiet"],
            database: directory.appendingPathComponent("unused.sqlite"))
        #expect(simulated.status == 0)

        let sqlite = try Self.database(.sqlite, in: directory)
        let postgres = try Self.database(.postgres, in: directory)
        let onSQLite = try Self.session(on: sqlite, traffic: traffic)
        let onPostgres = try Self.session(on: postgres, traffic: traffic)
        #expect(onSQLite.count == onPostgres.count)
        for (index, (a, b)) in zip(onSQLite, onPostgres).enumerated() { #expect(a == b, "output \(index)") }
        #expect(onSQLite.contains { $0.contains(#""charged" : "#) })

        // And the ledger moves between them: SQLite → PostgreSQL → SQLite keeps every report.
        let migrated = try Self.database(.postgres, in: directory)
        let back = try Self.database(.sqlite, in: directory)
        // Batches smaller than the archive, so that two are written at a time into PostgreSQL.
        #expect(
            try Package.run(["migrate", "--to", migrated, "--batch-size", "300", "--quiet"], database: sqlite).status
                == 0)
        #expect(
            try Package.run(["migrate", "--to", back, "--batch-size", "300", "--quiet"], database: migrated).status == 0
        )
        let refused = try Package.run(["migrate", "--to", migrated, "--quiet"], database: sqlite)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("already holds archived bodies"))
        #expect(!refused.stderr.contains("Usage:"))
        // The archive keeps its order through both moves (PostgreSQL writes two batches at a time).
        var archives: [[Data]] = []
        for database in [sqlite, migrated, back] {
            let store = try await LedgerStoreLocation.open(database, logger: Logger(label: "test"))
            archives.append(try await store.archivedBodies(after: 0, limit: 10_000).map(\.bytes))
            await LedgerStoreLocation.close(store)
        }
        #expect(archives[0].count > 1000)
        #expect(archives[1] == archives[0])
        #expect(archives[2] == archives[0])
        for database in [migrated, back] {
            for month in Self.months {
                let report = ["report", "--account", "100000000000002", "--month", month, "--format", "json"]
                #expect(
                    try Package.run(report, database: database).stdout
                        == Package.run(report, database: sqlite).stdout)
            }
        }
    }

    @Test("a command on PostgreSQL writes nothing to standard error when all is well (no driver warnings)")
    func quietOnPostgres() throws {
        let database = try Self.database(.postgres, in: try Package.temporaryDirectory())
        // Opening a new schema migrates it: the first queries of the pool, started just before.
        for arguments in [["accounts", "list"], ["accounts", "list"], ["rates", "list"]] {
            let result = try Package.run(arguments, database: database)
            #expect(result.status == 0)
            #expect(result.stderr.isEmpty, "wameter \(arguments.joined(separator: " ")): \(result.stderr)")
        }
    }

    @Test("a database that cannot be opened is named with the server's reason, and the password never shown")
    func openFailures() throws {
        let url = try #require(StoreBackend.postgresURL)
        let missing = url.replacingOccurrences(of: "@", with: ":s3cret@")
            .replacingOccurrences(of: "/postgres?", with: "/no_such_database?")
        let result = try Package.run(["accounts", "list"], database: missing)
        #expect(result.status == 1)
        #expect(result.stderr.contains(#"database "no_such_database" does not exist"#), "\(result.stderr)")
        #expect(!result.stderr.contains("s3cret"))
        #expect(result.stderr.contains(":***@"))
        let badParameter = try Package.run(["accounts", "list"], database: url + "&pool_size=none")
        #expect(badParameter.status != 0)
        #expect(badParameter.stderr.contains("pool_size must be"))
    }
}
