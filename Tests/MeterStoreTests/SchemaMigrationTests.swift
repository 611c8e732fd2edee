import Foundation
import GRDB
import MeterCore
import TestSupport
import Testing

@testable import MeterStore

/// Upgrading a database made by an earlier version: migrations run on open and leave the ledger as
/// the current rules build it from the archive.
@Suite("Schema migrations")
struct SchemaMigrationTests {
    @Test("v1 → v2: the ledger is rebuilt from the archive (group deliveries per member, tier updates kept)")
    func v1ToV2() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wameter-v1-\(UUID().uuidString).sqlite"
        )
        .path
        let t = utc("2026-02-03T10:00:00Z")
        let bodies = [
            LedgerScenario.groupSent("g1", at: t),
            LedgerScenario.groupDelivery("g1", member: "919876543210", at: t + 5),
            LedgerScenario.groupDelivery("g1", member: "5511987654321", at: t + 6),
            LedgerScenario.tierUpdate(month: "2026-02", region: "India", category: "UTILITY", tier: "0:100000", at: t),
        ]
        // A database as version 1 left it: its schema, the account, and the archived bodies. (Its
        // derived tables are left empty: whatever they held, v2 replaces them from the archive.)
        do {
            let v1 = try DatabaseQueue(path: path)
            try SQLiteSchema.migrator.migrate(v1, upTo: "v1")
            try await v1.write { db in
                try db.execute(
                    sql: "INSERT INTO accounts (id, timezone, currency, auto_created) VALUES ('A', 'UTC', 'USD', 0)")
                for body in bodies {
                    try db.execute(
                        sql: """
                            INSERT INTO raw_bodies (received_at, source, on_premises_account, body)
                            VALUES (0, 'test', 'on-premises', ?)
                            """, arguments: [body])
                }
            }
        }
        let store = try SQLiteLedgerStore(path: path)
        let report = try await LedgerScenario.report(store, "A", "2026-02")
        #expect(report.messages.sent == 1)
        #expect(report.messages.charged == 2)
        #expect(report.byMarket["India"] == .init(charged: 1, cost: "0.0118"))
        #expect(report.byMarket["Brazil"] == .init(charged: 1, cost: "0.0625"))
        #expect(report.volumeTiers.first?.metaTier == "0:100000")
        #expect(try await store.archivedBodyCount() == 4)
        // Opening again runs nothing more and changes nothing.
        #expect(
            try await LedgerScenario.report(SQLiteLedgerStore(path: path), "A", "2026-02").jsonData()
                == report.jsonData())
    }
}
