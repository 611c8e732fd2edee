import Foundation
import GRDB
import MeterCore
import TestSupport
import Testing

@testable import MeterStore

/// A webhook is acknowledged only after its transaction is durable, on SQLite too: the writer
/// connection syncs the WAL at every commit (`synchronous = FULL`). GRDB's pool sets `NORMAL`
/// (no sync at commit, durable across a crash but not a power loss) after a configuration's
/// `prepareDatabase` has run, so setting `FULL` there was silently undone until 2026-12-02.
@Suite("SQLite durability")
struct SQLiteDurabilityTests {
    static func synchronous(_ store: SQLiteLedgerStore) async throws -> Int? {
        try await store.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
    }

    @Test("the writer connection syncs every commit: on a new file, after writes, and on reopening")
    func writerSyncsEveryCommit() async throws {
        let path = TestFiles.path("durable", extension: "sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let full = 2
        do {
            let store = try SQLiteLedgerStore(path: path)
            #expect(try await Self.synchronous(store) == full)
            _ = try await store.upsertAccount(Account(id: "A", timezone: "UTC", currency: "USD"))
            #expect(try await Self.synchronous(store) == full)
            #expect(try await store.writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
        }
        let reopened = try SQLiteLedgerStore(path: path)
        #expect(try await Self.synchronous(reopened) == full)
        #expect(try await reopened.accounts().map(\.id) == ["A"])
    }
}
