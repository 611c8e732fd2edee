import Foundation
import Logging
import MeterCore
import MeterStore
import TestSupport
import Testing

@Suite("Store locations")
struct LedgerStoreLocationTests {
    let logger = Logger(label: "test")

    @Test("a path opens SQLite; the store is usable and closes")
    func sqlitePath() async throws {
        let path = TestFiles.path("location", extension: "sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let accounts = try await LedgerStoreLocation.withStore(path, logger: logger) { store in
            #expect(store is SQLiteLedgerStore)
            _ = try await store.upsertAccount(Account(id: "A", timezone: "UTC", currency: "USD"))
            return try await store.accounts().map(\.id)
        }
        #expect(accounts == ["A"])
    }

    @Test("what cannot be opened is named with the reason: a missing folder, a malformed URL")
    func openErrors() async {
        do {
            _ = try await LedgerStoreLocation.open("/no/such/folder/x.sqlite", logger: logger)
            Issue.record("opened a database in a missing folder")
        } catch {
            #expect(error.description.hasPrefix("cannot open database /no/such/folder/x.sqlite: "))
        }
        do {
            _ = try await LedgerStoreLocation.open("postgres://user:secret@host:notaport/db", logger: logger)
            Issue.record("accepted a malformed URL")
        } catch {
            #expect(error.description.hasPrefix("--database: "))
            #expect(!error.description.contains("secret"))
        }
    }

    @Test("a postgres:// URL opens PostgreSQL", .enabled(if: StoreBackend.postgresURL != nil))
    func postgresURL() async throws {
        let url = try StoreBackend.url(for: try StoreBackend.freshSchemaSettings(poolSize: 2))
        let count = try await LedgerStoreLocation.withStore(url, logger: logger) { store in
            #expect(store is PostgresLedgerStore)
            return try await store.archivedBodyCount()
        }
        #expect(count == 0)
    }

    @Test(
        "a location written as another scheme's URL is refused by its scheme; paths, even odd ones, are paths",
        arguments: [
            ("mysql://u:p@host/db", "mysql"), ("sqlite+file://x", "sqlite+file"), ("a1.b-c://x", "a1.b-c"),
            ("/tmp/a://b", nil), ("1abc://x", nil), ("abc:/x", nil), ("abc", nil), ("data.sqlite", nil),
            ("ab c://x", nil), ("é://x", nil), ("", nil),
        ] as [(String, String?)])
    func schemes(location: String, scheme: String?) async {
        do {
            let store = try await LedgerStoreLocation.open(location, logger: logger, mustExist: true)
            await LedgerStoreLocation.close(store)
        } catch {
            if let scheme {
                #expect(error.description.hasPrefix("--database \(scheme):// is not a database wameter can use"))
            } else {
                #expect(!error.description.contains("is not a database wameter can use"))
            }
        }
    }
}
