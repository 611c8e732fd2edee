import Foundation
import Logging
import MeterCore
import MeterStore
import Synchronization
import Testing

/// The storage backends a store test runs against: SQLite always, PostgreSQL when
/// `WAMETER_TEST_POSTGRES_URL` names a server (`.ci/run` starts one and sets it).
public enum StoreBackend: String, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    public static let all: [StoreBackend] = postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]

    /// The test server's URL, e.g. `postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable`.
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["WAMETER_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public var testDescription: String { rawValue }

    /// A new, empty store: an in-memory SQLite database, or a new schema of the test server opened
    /// as `--database URL` opens it (`LedgerStoreLocation`). With the `.closesStores` trait,
    /// PostgreSQL stores are closed when the test ends.
    public func makeStore() async throws -> any LedgerStore {
        switch self {
        case .sqlite:
            return try SQLiteLedgerStore()
        case .postgres:
            // What store tests check is behaviour, not speed: with every suite running at once on 2
            // cores, a fresh schema's migrations (and the replay they ask for) can outlast the 10 s
            // default deadline.
            let store = try await LedgerStoreLocation.open(
                try Self.url(for: try Self.freshSchemaSettings()) + "&operation_timeout=60", logger: Self.logger)
            OpenedStores.current?.add(store)
            return store
        }
    }

    /// A new store with these accounts added, as `wameter accounts add` would.
    public func makeStore(accounts: [Account]) async throws -> any LedgerStore {
        let store = try await makeStore()
        for account in accounts { _ = try await store.upsertAccount(account) }
        return store
    }

    /// Settings for a schema no test has used: each store starts from an empty ledger.
    public static func freshSchemaSettings(poolSize: Int = 4) throws -> PostgresSettings {
        guard let url = postgresURL else { throw TestSetupError("WAMETER_TEST_POSTGRES_URL is not set") }
        var settings = try PostgresSettings(url: url)
        settings.schema = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        settings.poolSize = poolSize
        return settings
    }

    /// The database's URL with a `schema` parameter, for a server process to open the same ledger.
    public static func url(for settings: PostgresSettings) throws -> String {
        guard let url = postgresURL, let schema = settings.schema else {
            throw TestSetupError("WAMETER_TEST_POSTGRES_URL is not set")
        }
        return url + (url.contains("?") ? "&" : "?") + "schema=\(schema)"
    }

    static let logger: Logger = {
        var logger = Logger(label: "wameter.test.postgres")
        logger.logLevel = .warning
        return logger
    }()
}

public struct TestSetupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The PostgreSQL stores a test opened, so that their connections are closed when it ends.
public final class OpenedStores: Sendable {
    @TaskLocal public static var current: OpenedStores?

    private let stores = Mutex<[any LedgerStore]>([])

    public init() {}

    public func add(_ store: any LedgerStore) { stores.withLock { $0.append(store) } }

    public func closeAll() async {
        for store in stores.withLock({ $0 }) { await LedgerStoreLocation.close(store) }
    }
}

/// Closes the PostgreSQL stores each test case opened, however it ends.
public struct ClosesStores: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard testCase != nil else { return try await function() }
        let opened = OpenedStores()
        do {
            try await OpenedStores.$current.withValue(opened) { try await function() }
        } catch {
            await opened.closeAll()
            throw error
        }
        await opened.closeAll()
    }
}

extension Trait where Self == ClosesStores {
    public static var closesStores: Self { ClosesStores() }
}
