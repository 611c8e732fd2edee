import Foundation
import GRDBSQLite
import MeterCore
import Testing

@testable import MeterStore

/// SQLite's process-wide settings are made as the program loads, before any connection: with
/// memory statistics on (SQLite's default), every allocation inside SQLite takes one global mutex.
@Suite("SQLite process settings")
struct SQLiteProcessSettingsTests {
    @Test("memory statistics are off: made before SQLite started, and no allocation is counted")
    func memoryStatisticsOff() async throws {
        #expect(SQLiteLedgerStore.processConfiguration == SQLITE_OK)
        let store = try SQLiteLedgerStore()
        _ = try await store.upsertAccount(Account(id: "A", timezone: "UTC", currency: "USD"))
        #expect(try await store.accounts().map(\.id) == ["A"])
        // With statistics on, SQLite counts every byte it holds; off, the count stays at zero.
        #expect(sqlite3_memory_used() == 0)
    }
}
