import ArgumentParser
import Foundation
import MeterStore

/// `--database`, shared by every command; falls back to `WAMETER_DATABASE`, then `wameter.sqlite`.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "SQLite file path (or postgres:// URL). Default: $WAMETER_DATABASE, else wameter.sqlite.",
            valueName: "path"))
    var database: String?

    var location: String {
        if let database, !database.isEmpty { return database }
        if let fromEnvironment = ProcessInfo.processInfo.environment["WAMETER_DATABASE"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return "wameter.sqlite"
    }

    func openStore() throws -> any LedgerStore {
        let location = location
        if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
            throw ValidationError("PostgreSQL databases are not supported by this build yet; use a SQLite file path")
        }
        do {
            return try SQLiteLedgerStore(path: location)
        } catch {
            throw ValidationError("cannot open database \(location): \(error)")
        }
    }
}

/// Writes a line to standard error (warnings, progress, per-line problems).
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
