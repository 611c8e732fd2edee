import Foundation
import TestSupport
import Testing

/// `--database` mistakes are named before SQLite says "unable to open database file", and commands
/// that only read never create an empty ledger where a mistyped path points.
@Suite("wameter --database mistakes")
struct DatabaseLocationCommandTests {
    @Test("read commands refuse a file that does not exist, and do not create it")
    func readCommandsNeedADatabase() throws {
        let directory = try Package.temporaryDirectory()
        let missing = directory.appendingPathComponent("typo.sqlite")
        let reads: [[String]] = [
            ["report", "--account", "1", "--month", "2026-02"], ["insights", "--all", "--from", "2026-02"],
            ["accounts", "list"], ["rates", "coverage", "--from", "2026-01"], ["rebuild"],
            ["tokens", "list"], ["tokens", "revoke", "x"],
            ["migrate", "--to", directory.appendingPathComponent("copy.sqlite").path],
        ]
        for arguments in reads {
            let result = try Package.run(arguments, database: missing)
            #expect(result.status == 1, "\(arguments)")
            #expect(
                result.stderr.hasPrefix("Error: no database at \(missing.path): nothing has been stored there"),
                "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("Usage:"))
            #expect(!FileManager.default.fileExists(atPath: missing.path), "\(arguments) created the file")
        }
        // The built-in rate history needs no database, and makes none.
        let rates = try Package.run(["rates", "list"], database: missing)
        #expect(rates.status == 0)
        #expect(rates.stdout.contains("USD       2026-01-01  whole  built-in"))
        #expect(rates.stderr == "no database at \(missing.path): the built-in cards only\n")
        #expect(!FileManager.default.fileExists(atPath: missing.path))
        // A command that writes creates it.
        let add = try Package.run(
            ["accounts", "add", "1", "--timezone", "UTC", "--currency", "USD"], database: missing)
        #expect(add.status == 0)
        #expect(FileManager.default.fileExists(atPath: missing.path))
    }

    @Test("a URL of another database, a missing directory or a directory is named as such")
    func badLocations() throws {
        let directory = try Package.temporaryDirectory()
        let cases: [(String, String)] = [
            ("mysql://u:p@host/db", "Error: --database mysql:// is not a database wameter can use"),
            ("sqlite:///tmp/x.sqlite", "Error: --database sqlite:// is not a database wameter can use"),
            (
                directory.appendingPathComponent("nowhere/x.sqlite").path,
                "Error: cannot open database \(directory.path)/nowhere/x.sqlite: the directory \(directory.path)/nowhere does not exist"
            ),
            (directory.path, "Error: cannot open database \(directory.path): it is a directory, not a file"),
        ]
        for (location, message) in cases {
            let result = try Package.run(
                ["accounts", "add", "1", "--timezone", "UTC", "--currency", "USD"], database: location)
            #expect(result.status == 1, "\(location)")
            #expect(result.stderr.hasPrefix(message), "\(location): \(result.stderr)")
        }
    }

    @Test("long commands print no progress lines when standard error is not a terminal")
    func noProgressThroughAPipe() throws {
        let directory = try Package.temporaryDirectory()
        let database = directory.appendingPathComponent("ledger.sqlite")
        let bodies = directory.appendingPathComponent("bodies.jsonl")
        #expect(
            try Package.run(
                ["simulate", "--out", bodies.path, "--count", "3000", "--seed", "4", "--quiet"], database: database
            ).status == 0)
        for arguments in [
            ["ingest", bodies.path, "--batch-size", "100"], ["rebuild"],
            ["migrate", "--to", directory.appendingPathComponent("copy.sqlite").path, "--batch-size", "100"],
        ] {
            let result = try Package.run(arguments, database: database)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("… "), "\(arguments): \(result.stderr)")
        }
    }
}
