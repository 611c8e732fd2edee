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
    /// A database as an older version left it: its schema up to `migration`, account A (UTC, USD)
    /// and the archived bodies. Its derived tables are left empty: whatever they held, a migration
    /// that replays the archive replaces them.
    static func olderDatabase(upTo migration: String, bodies: [Data]) async throws -> String {
        let path = TestFiles.path("older", extension: "sqlite").path
        let old = try DatabaseQueue(path: path)
        try SQLiteSchema.migrator.migrate(old, upTo: migration)
        try await old.write { db in
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
        return path
    }

    @Test("v1 → v2: the ledger is rebuilt from the archive (group deliveries per member, tier updates kept)")
    func v1ToV2() async throws {
        let t = utc("2026-02-03T10:00:00Z")
        let bodies = [
            LedgerScenario.groupSent("g1", at: t),
            LedgerScenario.groupDelivery("g1", member: "919876543210", at: t + 5),
            LedgerScenario.groupDelivery("g1", member: "5511987654321", at: t + 6),
            LedgerScenario.tierUpdate(month: "2026-02", region: "India", category: "UTILITY", tier: "0:100000", at: t),
        ]
        let path = try await Self.olderDatabase(upTo: "v1", bodies: bodies)
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

    @Test("v3 → v4: counters gain the phone number; a member-only group message is counted as sent")
    func v3ToV4() async throws {
        let t = utc("2026-02-03T10:00:00Z")
        let path = try await Self.olderDatabase(
            upTo: "v3: messages by conversation",
            bodies: [
                LedgerScenario.groupDelivery("g1", member: "919876543210", at: t),
                LedgerScenario.status("m1", "delivered", at: t, pricing: LedgerScenario.pmp("marketing"), phone: "111"),
            ])
        let report = try await LedgerScenario.report(try SQLiteLedgerStore(path: path), "A", "2026-02")
        #expect(report.messages.delivered == 2)
        #expect(report.messages.sent == 2)
        #expect(report.byPhoneNumber["111"]?.charged == 1)
    }
}

extension SchemaMigrationTests {
    @Test("v4 → v6: free messages are counted by pricing type, and display numbers learnt, from the archive")
    func v4ToV6() async throws {
        let t = utc("2026-02-03T10:00:00Z")
        let path = try await Self.olderDatabase(
            upTo: "v4: counters by phone number, group messages sent once",
            bodies: [
                LedgerScenario.status("m1", "delivered", at: t, pricing: LedgerScenario.pmp("marketing")),
                LedgerScenario.status(
                    "m2", "delivered", at: t, pricing: LedgerScenario.pmp("utility", type: "free_customer_service")),
                LedgerScenario.status(
                    "m3", "delivered", at: t, pricing: LedgerScenario.pmp("marketing", type: "free_entry_point")),
            ])
        let store = try SQLiteLedgerStore(path: path)
        let query = try InsightsRequest(from: "2026-02", to: "2026-02", by: ["pricing_type", "phone"]).query()
        let result = try await store.insights(scope: .accounts(["A"]), query: query, now: t)
        let delivered = Dictionary(
            uniqueKeysWithValues: result.rows.map { ($0.values[0], $0.metrics.messagesDelivered) })
        #expect(delivered == ["": 0, "regular": 1, "free_customer_service": 1, "free_entry_point": 1])
        #expect(result.displayNumbers == ["106540352242922": "15552242922"])
        #expect(result.rows.allSatisfy { result.displayNumber(of: $0) == "15552242922" })
    }

    @Test("v6 → v7: imported rates become whole cards, tier tables alone patches; reports price as before")
    func v6ToV7() async throws {
        let t = utc("2026-02-03T10:00:00Z")
        let path = try await Self.olderDatabase(
            upTo: "v6: display numbers of business phone numbers",
            bodies: [LedgerScenario.status("m1", "delivered", at: t, pricing: LedgerScenario.pmp("marketing"))])
        try await DatabaseQueue(path: path).write { db in
            try db.execute(
                sql: """
                    INSERT INTO rates (effective_from, currency, market, category, rate)
                        VALUES (20260101, 'USD', 'India', 'marketing', '0.02');
                    INSERT INTO rate_tiers (effective_from, currency, market, category, volume_from, volume_to, rate)
                        VALUES (20260201, 'USD', 'India', 'utility', 1, NULL, '0.001');
                    """)
        }
        let store = try SQLiteLedgerStore(path: path)
        #expect(
            try await store.rateCards().map { "\($0.currency) \($0.effectiveFrom) \($0.kind)" } == [
                "USD 20260101 whole", "USD 20260201 patch",
            ])
        // The imported whole card replaces the built-in one of 2026-01-01; the tier patch ends nothing.
        let report = try await LedgerScenario.report(store, "A", "2026-02")
        #expect(report.cost.total == "0.02")
        #expect(report.rateCards.map(\.label) == ["USD 2026-01-01 whole, imported", "USD 2026-02-01 patch, imported"])
    }

    @Test("v8 → v9: calls archived before (as other changes) become calls of the ledger")
    func v8ToV9() async throws {
        let start = utc("2026-02-03T10:00:00Z")
        let path = try await Self.olderDatabase(
            upTo: "v8: scoped API tokens",
            bodies: [
                CallLedgerTests.terminate(
                    "wacid.1", "BUSINESS_INITIATED", user: "919876543210", start: start, duration: 56),
                CallLedgerTests.connect("wacid.1", "BUSINESS_INITIATED", user: "919876543210", at: start - 3),
            ])
        let store = try SQLiteLedgerStore(path: path)
        let calls = try await LedgerScenario.report(store, "A", "2026-02").calls
        #expect(calls.count == 1 && calls.charged == 1 && calls.billedMinutes == 1)
        #expect(calls.byMarket["India"]?.cost == "0.0053")
    }

    @Test("v9 → v10: the half-hour counters are built from the archive")
    func v9ToV10() async throws {
        let path = try await Self.olderDatabase(
            upTo: "v9: voice calls, app and agent messages",
            bodies: [
                LedgerScenario.status(
                    "m1", "delivered", at: utc("2026-02-03T10:40:00Z"), pricing: LedgerScenario.pmp("marketing")),
                LedgerScenario.status("m1", "sent", at: utc("2026-02-03T10:20:00Z")),
            ])
        let store = try SQLiteLedgerStore(path: path)
        let query = try InsightsRequest(from: "2026-02-03", granularity: "half_hour").query()
        let rows = try await store.insights(scope: .all, query: query, now: 0).rows
        #expect(rows.map(\.period) == ["2026-02-03T10:00+00:00", "2026-02-03T10:30+00:00"])
        #expect(rows.map(\.metrics.messagesSent) == [1, 0])
        #expect(rows.map(\.metrics.messagesDelivered) == [0, 1])
    }
}
