import Foundation
import Logging
import MeterCore
import NIOCore
import PostgresNIO
import TestSupport
import Testing

@testable import MeterStore

/// A PostgreSQL ledger made by the previous version is upgraded on open: the new migration changes
/// the counters' shape and the archive is replayed under today's rules, in the same transaction.
@Suite("PostgreSQL upgrade", .closesStores, .enabled(if: StoreBackend.postgresURL != nil))
struct PostgresUpgradeTests {
    @Test("a v2 database: counters gain the phone number, a member-only group message is counted as sent")
    func v2ToV3() async throws {
        let settings = try StoreBackend.freshSchemaSettings(poolSize: 2)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let t = utc("2026-02-03T10:00:00Z")
        let bodies = [
            LedgerScenario.groupDelivery("g1", member: "919876543210", at: t),
            LedgerScenario.status("m1", "delivered", at: t, pricing: LedgerScenario.pmp("marketing"), phone: "111"),
        ]
        // The database as the previous version left it: its schema, an account and the archive.
        let connection = try await PostgresConnection.connect(
            configuration: try settings.connectionConfiguration(), id: 1, logger: logger)
        let schema = try #require(settings.schema)
        try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"), logger: logger)
        try await connection.query(PostgresQuery(unsafeSQL: "SET search_path TO \(schema)"), logger: logger)
        try await connection.query("BEGIN", logger: logger)
        try await PostgresSchema.migrate(
            connection, schema: settings.schema, logger: logger, upTo: "v2: messages by conversation"
        ) { _ in }
        try await connection.query(
            "INSERT INTO accounts (id, timezone, currency, auto_created) VALUES ('A', 'UTC', 'USD', false)",
            logger: logger)
        for body in bodies {
            try await connection.query(
                """
                INSERT INTO raw_bodies (received_at, source, on_premises_account, body)
                VALUES (0, 'test', 'on-premises', \(ByteBuffer(bytes: body)))
                """, logger: logger)
        }
        try await connection.query("COMMIT", logger: logger)
        try await connection.close()

        // Behaviour, not speed: with every suite running at once on 2 cores a report can wait on the
        // connection pool past the 10 s default (as StoreBackend.makeStore allows for too).
        let store = try await LedgerStoreLocation.open(
            try StoreBackend.url(for: settings) + "&operation_timeout=60", logger: logger)
        OpenedStores.current?.add(store)
        let report = try await LedgerScenario.report(store, "A", "2026-02")
        #expect(report.messages.delivered == 2)
        #expect(report.messages.sent == 2)
        #expect(report.byPhoneNumber["111"]?.charged == 1)
    }
}

/// `operation_timeout` bounds what a delivery or a read may wait; a migration that replays the
/// archive and `rebuild` take as long as the ledger is large and must not fail at that deadline.
@Suite("PostgreSQL whole-ledger jobs", .closesStores, .enabled(if: StoreBackend.postgresURL != nil))
struct PostgresWholeLedgerDeadlineTests {
    @Test("opening (migrations) and rebuild outlast a 1 ms operation_timeout")
    func wholeLedgerJobsHaveNoOperationDeadline() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let url = try StoreBackend.url(for: try StoreBackend.freshSchemaSettings(poolSize: 2))
        let t = utc("2026-02-03T10:00:00Z")
        let bodies = (0..<300).map {
            LedgerScenario.status("m\($0)", "delivered", at: t + Int64($0), pricing: LedgerScenario.pmp("marketing"))
        }

        // Every migration of a new schema, under a deadline far shorter than they take.
        let strict = try await LedgerStoreLocation.open(url + "&operation_timeout=0.001", logger: logger)
        OpenedStores.current?.add(strict)
        let relaxed = try await LedgerStoreLocation.open(url + "&operation_timeout=60", logger: logger)
        OpenedStores.current?.add(relaxed)
        _ = try await relaxed.upsertAccount(Account(id: "A", timezone: "UTC", currency: "USD"))
        try await LedgerScenario.ingest(relaxed, bodies)

        let outcome = try await strict.rebuild(decoder: LedgerScenario.decoder)
        #expect(outcome.bodies == bodies.count)
        let report = try await LedgerScenario.report(relaxed, "A", "2026-02")
        #expect(report.messages.delivered == bodies.count)
    }
}
