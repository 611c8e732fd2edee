import Foundation
import Logging

/// Opens the store a `--database` value names: a `postgres://` URL selects PostgreSQL, anything
/// else is a SQLite file path. The one place that knows both backends' ways of opening, so the
/// executable and anything else that takes a database location share it.
public enum LedgerStoreLocation {
    /// Why a store could not be opened, as a sentence for the user (never with a password).
    public struct OpenError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Opens the store at `location`; give it back with `close(_:)`. With `mustExist`, a SQLite
    /// file that is not there is an error rather than a new, empty ledger (for commands that only
    /// read: a mistyped path must not answer "no data").
    public static func open(
        _ location: String, logger: Logger, mustExist: Bool = false
    ) async throws(OpenError) -> any LedgerStore {
        guard PostgresSettings.isPostgresURL(location) else {
            if let problem = sqliteProblem(location, mustExist: mustExist) { throw OpenError(description: problem) }
            do {
                return try SQLiteLedgerStore(path: location)
            } catch {
                throw OpenError(description: "cannot open database \(location): \(error)")
            }
        }
        let settings: PostgresSettings
        do {
            settings = try PostgresSettings(url: location)
        } catch {
            throw OpenError(description: "--database: \(error.description)")
        }
        do {
            return try await PostgresLedgerStore.open(settings, logger: logger)
        } catch {
            throw OpenError(
                description: "cannot open database \(settings.redacted): \(PostgresLedgerStore.describe(error))")
        }
    }

    /// Whether a ledger is there: always for a PostgreSQL URL (its schema is made on first open),
    /// else whether the SQLite file exists.
    public static func exists(_ location: String) -> Bool {
        PostgresSettings.isPostgresURL(location) || location.isEmpty || location == ":memory:"
            || FileManager.default.fileExists(atPath: location)
    }

    /// Why a SQLite location cannot be opened, in words, before SQLite says "unable to open
    /// database file": a URL of another database, a directory that is not there, a directory given
    /// as the file, or (with `mustExist`) no file at all.
    static func sqliteProblem(_ location: String, mustExist: Bool) -> String? {
        if let scheme = location.range(of: "^[A-Za-z][A-Za-z0-9+.-]*://", options: .regularExpression) {
            return "--database \(location[scheme].dropLast(3)):// is not a database wameter can use: "
                + "give a SQLite file path or a postgres:// URL"
        }
        if location.isEmpty || location == ":memory:" { return nil }
        let url = URL(fileURLWithPath: location)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            return isDirectory.boolValue ? "cannot open database \(location): it is a directory, not a file" : nil
        }
        let parent = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            return "cannot open database \(location): the directory \(parent) does not exist"
        }
        if mustExist {
            return "no database at \(location): nothing has been stored there "
                + "(check --database or WAMETER_DATABASE; `accounts add`, `ingest` or `serve` create one)"
        }
        return nil
    }

    /// Releases what a store holds: a PostgreSQL store's connections (a SQLite store closes when
    /// it is no longer referenced).
    public static func close(_ store: any LedgerStore) async {
        if let postgres = store as? PostgresLedgerStore { await postgres.close() }
    }

    /// Opens the store, runs `body` with it, and closes it, whether `body` returns or throws.
    public static func withStore<Result>(
        _ location: String, logger: Logger, mustExist: Bool = false, _ body: (any LedgerStore) async throws -> Result
    ) async throws -> Result {
        let store = try await open(location, logger: logger, mustExist: mustExist)
        do {
            let result = try await body(store)
            await close(store)
            return result
        } catch {
            await close(store)
            throw error
        }
    }
}
