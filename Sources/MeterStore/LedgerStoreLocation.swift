import Logging

/// Opens the store a `--database` value names: a `postgres://` URL selects PostgreSQL, anything
/// else is a SQLite file path. The one place that knows both backends' ways of opening, so the
/// executable and anything else that takes a database location share it.
public enum LedgerStoreLocation {
    /// Why a store could not be opened, as a sentence for the user (never with a password).
    public struct OpenError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Opens the store at `location`; give it back with `close(_:)`.
    public static func open(_ location: String, logger: Logger) async throws(OpenError) -> any LedgerStore {
        guard PostgresSettings.isPostgresURL(location) else {
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

    /// Releases what a store holds: a PostgreSQL store's connections (a SQLite store closes when
    /// it is no longer referenced).
    public static func close(_ store: any LedgerStore) async {
        if let postgres = store as? PostgresLedgerStore { await postgres.close() }
    }

    /// Opens the store, runs `body` with it, and closes it, whether `body` returns or throws.
    public static func withStore<Result>(
        _ location: String, logger: Logger, _ body: (any LedgerStore) async throws -> Result
    ) async throws -> Result {
        let store = try await open(location, logger: logger)
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
