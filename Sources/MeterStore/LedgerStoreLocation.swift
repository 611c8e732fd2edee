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

    /// The scheme of a location written as a URL (`scheme://…`, RFC 3986: a letter, then letters,
    /// digits, `+`, `.` or `-`), or nil. Scanned by hand: a regular expression cost every command
    /// 1.3 ms of its start-up.
    static func urlScheme(of location: String) -> Substring? {
        func isLetter(_ byte: UInt8) -> Bool { (65...90).contains(byte) || (97...122).contains(byte) }
        let utf8 = location.utf8
        guard let first = utf8.first, isLetter(first) else { return nil }
        var index = utf8.index(after: utf8.startIndex)
        while index != utf8.endIndex {
            let byte = utf8[index]
            if isLetter(byte) || (48...57).contains(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "-")
            {
                index = utf8.index(after: index)
                continue
            }
            guard utf8[index...].starts(with: "://".utf8) else { return nil }
            return location[..<index]
        }
        return nil
    }

    /// Why a SQLite location cannot be opened, in words, before SQLite says "unable to open
    /// database file": a URL of another database, a directory that is not there, a directory given
    /// as the file, or (with `mustExist`) no file at all.
    static func sqliteProblem(_ location: String, mustExist: Bool) -> String? {
        if let scheme = urlScheme(of: location) {
            return "--database \(scheme):// is not a database wameter can use: "
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
