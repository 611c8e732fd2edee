import ArgumentParser
import Foundation
import Logging
import MeterStore

/// `--database`, shared by every command; falls back to `WAMETER_DATABASE`, then `wameter.sqlite`.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "SQLite file path, or postgres://USER:PASSWORD@HOST:PORT/DATABASE[?sslmode=…&pool_size=…]. "
                + "Default: $WAMETER_DATABASE, else wameter.sqlite.",
            valueName: "path|url"))
    var database: String?

    var location: String {
        if let database, !database.isEmpty { return database }
        if let fromEnvironment = ProcessInfo.processInfo.environment["WAMETER_DATABASE"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return "wameter.sqlite"
    }

    /// The location for logs and messages: a PostgreSQL URL without its password.
    var displayLocation: String { Self.display(location) }

    static func display(_ location: String) -> String {
        (try? PostgresSettings(url: location))?.redacted ?? location
    }

    /// Opens the store, runs `body` with it, and closes it (a PostgreSQL store's connections).
    /// Commands that only read pass `existing: true`: a SQLite file that is not there is an error,
    /// not a new empty ledger.
    func withStore<Result>(
        existing: Bool = false, logger: Logger = DatabaseOptions.commandLogger,
        _ body: (any LedgerStore) async throws -> Result
    ) async throws -> Result {
        try await Self.withStore(at: location, existing: existing, logger: logger, body)
    }

    /// A quiet store logger for commands: PostgresNIO logs each failed connection attempt at info,
    /// and a command reports its own errors.
    static var commandLogger: Logger {
        var logger = Logger(label: "wameter.store")
        logger.logLevel = .warning
        return logger
    }

    /// Opens the store at a SQLite path or `postgres://` URL (`LedgerStoreLocation`), runs `body`
    /// with it, and closes it. A store that cannot be opened fails the command (exit 1) with the reason.
    static func withStore<Result>(
        at location: String, existing: Bool = false, logger: Logger = DatabaseOptions.commandLogger,
        _ body: (any LedgerStore) async throws -> Result
    ) async throws -> Result {
        do {
            return try await LedgerStoreLocation.withStore(location, logger: logger, mustExist: existing, body)
        } catch let error as LedgerStoreLocation.OpenError {
            throw CommandFailure(error.description)
        }
    }
}

/// Writes a line to standard error (warnings, progress, per-line problems).
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
