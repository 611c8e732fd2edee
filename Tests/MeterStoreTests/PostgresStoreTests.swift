import Foundation
import Logging
import MeterCore
import MeterStore
import PostgresNIO
import Synchronization
import TestSupport
import Testing
import TrafficSimulator
import WhatsAppWebhook

/// What only the PostgreSQL store has to prove: several instances on one database.
@Suite("PostgreSQL store, several instances", .closesStores, .enabled(if: StoreBackend.postgresURL != nil))
struct PostgresStoreTests {
    static let logger: Logger = {
        var logger = Logger(label: "wameter.test")
        logger.logLevel = .warning
        return logger
    }()

    func open(_ settings: PostgresSettings) async throws -> PostgresLedgerStore {
        let store = try await PostgresLedgerStore.open(settings, logger: Self.logger)
        OpenedStores.current?.add(store)
        return store
    }

    @Test("instances starting at once on an empty database apply each migration exactly once")
    func concurrentMigrations() async throws {
        var patient = try StoreBackend.freshSchemaSettings(poolSize: 2)
        // What is tested is that each migration runs once, not how fast: with every suite running
        // at once on 2 cores, a queue of five migrating instances can outlast the default deadline.
        patient.operationTimeout = .seconds(60)
        let settings = patient
        let stores = try await withThrowingTaskGroup(of: PostgresLedgerStore.self) { group in
            for _ in 0..<5 { group.addTask { try await open(settings) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stores.count == 5)
        // Every instance sees one ledger.
        _ = try await stores[0].upsertAccount(Account(id: "A", timezone: "UTC", currency: "USD"))
        for store in stores { #expect(try await store.accounts().map(\.id) == ["A"]) }

        try await StoreBackend.withClient(settings) { client in
            var applied: [String] = []
            for try await name in try await client.query("SELECT name FROM wameter_migrations").decode(String.self) {
                applied.append(name)
            }
            // Each exactly once (sorted by number).
            #expect(
                applied.sorted { Int($0.dropFirst().prefix { $0 != ":" })! < Int($1.dropFirst().prefix { $0 != ":" })! }
                    == [
                        "v1: ledger, rates, volume tiers", "v2: messages by conversation",
                        "v3: counters by phone number, group messages sent once",
                        "v4: free messages counted by pricing type",
                        "v5: display numbers of business phone numbers", "v6: rate cards, whole or patch",
                        "v7: scoped API tokens", "v8: voice calls, app and agent messages",
                        "v9: counters by half-hour", "v10: day counters, a column per metric",
                        "v11: reconciliations with Meta", "v12: budgets and alerts",
                    ])
        }
    }

    /// Refusals the store did not foresee, as a constraint added by hand would be: the archive
    /// refuses a body holding POISON, the ledger a message whose id holds REFUSED.
    func addRefusals(_ settings: PostgresSettings) async throws {
        let schema = "\"\(settings.schema!)\""
        try await StoreBackend.withClient(settings) { client in
            for statement in [
                """
                CREATE FUNCTION \(schema).poison() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'poisoned body'; END $$
                """,
                """
                CREATE TRIGGER poison BEFORE INSERT ON \(schema).raw_bodies FOR EACH ROW
                WHEN (position('POISON'::bytea IN NEW.body) > 0) EXECUTE FUNCTION \(schema).poison()
                """,
                """
                CREATE FUNCTION \(schema).refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'refused message'; END $$
                """,
                """
                CREATE TRIGGER refuse BEFORE INSERT ON \(schema).messages FOR EACH ROW
                WHEN (NEW.wamid LIKE '%REFUSED%') EXECUTE FUNCTION \(schema).refuse()
                """,
            ] {
                try await client.query(PostgresQuery(unsafeSQL: statement))
            }
        }
    }

    @Test(
        "a file ingest with two batches in flight stops at a refused batch: the cause is reported, the refused batch is not stored, and nothing is written after the error is thrown"
    )
    func pipelineStopsAtRefusal() async throws {
        let settings = try StoreBackend.freshSchemaSettings(poolSize: 2)
        let store = try await open(settings)
        #expect(store.ingestsInFlight == 2)
        try await addRefusals(settings)
        let t = utc("2026-03-10T08:00:00Z")
        let ids = (1...12).map { $0 == 7 ? "wamid.REFUSED" : "wamid.m\($0)" }
        let lines = ids.map {
            String(
                decoding: LedgerScenario.status($0, "delivered", at: t, pricing: LedgerScenario.pmp("utility")),
                as: UTF8.self)
        }
        let url = TestFiles.path("bodies", extension: "jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(lines.joined(separator: "\n").utf8).write(to: url)
        var ingestor = JSONLIngestor(store: store, source: "file:refused.jsonl", onPremisesAccount: "onprem")
        ingestor.batchSize = 2
        let error = await #expect(throws: (any Error).self) {
            try await ingestor.run(try FileHandle(forReadingFrom: url), receivedAt: t)
        }
        #expect(String(describing: error).contains("refused message"), "\(String(describing: error))")
        let stored = try await store.archivedBodies(after: 0, limit: 100).map {
            String(decoding: $0.bytes, as: UTF8.self)
        }
        // The batches before the refused one (lines 1-6) are stored, the refused batch (7-8) is not;
        // the one after it (9-10) may have been in flight; nothing later was started.
        #expect(Array(stored.prefix(6)) == Array(lines[0..<6]))
        #expect(stored == Array(lines[0..<6]) || stored == Array(lines[0..<6]) + lines[8..<10], "\(stored.count)")
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await store.archivedBodyCount() == stored.count, "written after the error was thrown")
    }

    @Test(
        "a refused transaction names its cause, whether the archive or the ledger refused (their statements run side by side), and stores nothing"
    )
    func refusalNamesItsCause() async throws {
        let settings = try StoreBackend.freshSchemaSettings(poolSize: 2)
        let store = try await open(settings)
        try await addRefusals(settings)
        let t = utc("2026-03-10T08:00:00Z")
        func body(_ id: String) throws -> ReceivedBody {
            try ReceivedBody.decode(
                LedgerScenario.status(id, "delivered", at: t, pricing: LedgerScenario.pmp("utility")),
                decoder: WebhookDecoder(), receivedAt: t, source: "test")
        }
        for (bodies, cause) in [
            ([try body("wamid.good1"), try body("wamid.POISON")], "poisoned body"),
            ([try body("wamid.good1"), try body("wamid.REFUSED")], "refused message"),
        ] {
            let error = await #expect(throws: (any Error).self) { try await store.ingest(bodies) }
            #expect(String(describing: error).contains(cause), "\(String(describing: error))")
            #expect(!String(describing: error).contains("25P02"))
        }
        #expect(try await store.archivedBodyCount() == 0)
        _ = try await store.ingest([try body("wamid.good1")])
        #expect(try await store.archivedBodyCount() == 1)
        #expect(try await LedgerScenario.report(store, "A", "2026-03").messages.delivered == 1)
    }

    /// Makes each row an `operation` (`INSERT`, `INSERT OR UPDATE`) writes to `table` hold its
    /// transaction for a while after the statement, uncommitted, so that tests can make
    /// transactions overlap.
    func addLinger(
        _ settings: PostgresSettings, seconds: Double, after operation: String, on table: String,
        when condition: String = "true"
    ) async throws {
        let schema = "\"\(settings.schema!)\""
        try await StoreBackend.withClient(settings) { client in
            try await client.query(
                PostgresQuery(
                    unsafeSQL: """
                        CREATE FUNCTION \(schema).linger() RETURNS trigger LANGUAGE plpgsql AS $$
                        BEGIN PERFORM pg_sleep(\(seconds)); RETURN NULL; END $$
                        """))
            try await client.query(
                PostgresQuery(
                    unsafeSQL: """
                        CREATE TRIGGER linger AFTER \(operation) ON \(schema).\(table) FOR EACH ROW
                        WHEN (\(condition)) EXECUTE FUNCTION \(schema).linger()
                        """))
        }
    }

    @Test(
        "a record another instance commits while this one's insert waits for it is read under its lock and joined, not overwritten"
    )
    func recordCommittedMeanwhileIsJoined() async throws {
        let settings = try StoreBackend.freshSchemaSettings(poolSize: 2)
        let first = try await open(settings)
        let second = try await open(settings)
        let t = utc("2026-03-10T08:00:00Z")
        func body(_ id: String, _ status: String, at time: Int64) throws -> ReceivedBody {
            try ReceivedBody.decode(
                LedgerScenario.status(id, status, at: time, pricing: LedgerScenario.pmp("utility")),
                decoder: WebhookDecoder(), receivedAt: time, source: "test")
        }
        // The account and the phone number exist, so neither instance waits for the other there.
        let bodies = [
            try body("wamid.first", "sent", at: t), try body("wamid.race", "sent", at: t + 10),
            try body("wamid.race", "delivered", at: t + 20),
        ]
        _ = try await first.ingest([bodies[0]])
        // The second instance's transaction lingers after inserting wamid.race, uncommitted.
        try await addLinger(settings, seconds: 1.5, after: "INSERT", on: "messages", when: "NEW.wamid = 'wamid.race'")
        let schema = "\"\(settings.schema!)\""
        async let sent = second.ingest([bodies[1]])
        try await StoreBackend.withClient(settings) { client in
            for _ in 0..<200 {
                let lingering = try await client.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'"
                ).decode(Int64.self).first { _ in true }
                if lingering == 1 { return }
                try await Task.sleep(for: .milliseconds(10))
            }
            Issue.record("the second instance never reached its insert")
        }
        // This instance's statement starts before the other commits: its insert waits, then finds
        // the key taken, and its snapshot does not show the row.
        _ = try await first.ingest([bodies[2]])
        _ = try await sent

        try await StoreBackend.withClient(settings) { client in
            let rows = try await client.query(
                PostgresQuery(
                    unsafeSQL: "SELECT sent_at, delivered_at FROM \(schema).messages WHERE wamid = 'wamid.race'")
            ).decode((Int64?, Int64?).self)
            var stored: [(Int64?, Int64?)] = []
            for try await row in rows { stored.append(row) }
            #expect(stored.count == 1)
            #expect(stored.first?.0 == t + 10, "the other instance's sent time was lost")
            #expect(stored.first?.1 == t + 20)
        }
        let alone = try await StoreBackend.sqlite.makeStore()
        _ = try await alone.ingest(bodies)
        #expect(try await LedgerScenario.report(first, "A", "2026-03") == LedgerScenario.report(alone, "A", "2026-03"))
    }

    @Test(
        "two transactions storing the same tier announcements in opposite orders take their row locks in one order: no deadlock, no retry, the earliest time kept"
    )
    func tierAnnouncementsInOneOrder() async throws {
        let settings = try StoreBackend.freshSchemaSettings(poolSize: 2)
        let log = CapturedLog()
        var logger = Logger(label: "wameter.test") { _ in CapturingLogHandler(log: log) }
        logger.logLevel = .debug
        let store = try await PostgresLedgerStore.open(settings, logger: logger)
        OpenedStores.current?.add(store)
        _ = try await store.upsertAccount(Account(id: "A", timezone: "UTC", currency: "USD"))
        // Each row written lingers in its transaction, so the two transactions overlap: one
        // statement per announcement in arrival order made each hold one row and wait for the other's.
        try await addLinger(settings, seconds: 0.3, after: "INSERT OR UPDATE", on: "tier_updates")
        let schema = "\"\(settings.schema!)\""
        let t = utc("2026-03-01T00:00:00Z")
        func announcement(_ category: String, at time: Int64) throws -> ReceivedBody {
            try ReceivedBody.decode(
                LedgerScenario.tierUpdate(month: "2026-03", region: "IN", category: category, tier: "2", at: time),
                decoder: WebhookDecoder(), receivedAt: time, source: "test")
        }
        // Each also repeats one announcement (a batch stores each once, at its earliest time).
        let first = [
            try announcement("utility", at: t + 6), try announcement("authentication", at: t + 9),
            try announcement("utility", at: t + 5),
        ]
        let second = [
            try announcement("authentication", at: t + 1), try announcement("utility", at: t + 7),
            try announcement("authentication", at: t + 3),
        ]
        async let one = store.ingest(first)
        async let two = store.ingest(second)
        _ = try await (one, two)

        #expect(log.messages.withLock { $0 }.filter { $0.contains("retrying") } == [])
        try await StoreBackend.withClient(settings) { client in
            var stored: [String: Int64] = [:]
            for try await (category, time) in try await client.query(
                PostgresQuery(unsafeSQL: "SELECT pricing_category, tier_update_time FROM \(schema).tier_updates")
            ).decode((String, Int64).self) {
                stored[category] = time
            }
            #expect(stored == ["authentication": t + 1, "utility": t + 5])
        }
    }

    /// Realistic traffic in both pricing eras (conversations and per-message pricing).
    static func traffic() -> [ReceivedBody] {
        let decoder = WebhookDecoder()
        var bodies: [ReceivedBody] = []
        for settings in [
            SimulationSettings(seed: 11, start: 1_716_163_200, meanGapSeconds: 90),
            SimulationSettings(seed: 12, start: 1_789_862_400, meanGapSeconds: 90),
        ] {
            var simulator = TrafficSimulator(settings)
            for _ in 0..<2_000 {
                let body = simulator.next()
                bodies.append(
                    ReceivedBody(
                        bytes: body.bytes, events: try! decoder.decode(body.bytes), receivedAt: 0, source: "test"))
            }
        }
        return bodies
    }

    static func reports(_ store: any LedgerStore) async throws -> [String: Report] {
        var all: [String: Report] = [:]
        for account in SimulatedAccount.demo {
            for month in ["2024-05", "2024-06", "2026-09", "2026-10"] {
                all[account.id + "/" + month] = try await store.report(
                    accountID: account.id, month: YearMonth(month)!, now: 1_800_000_000)
            }
        }
        return all
    }

    @Test("two instances merging the same and different deliveries at once produce exactly one instance's ledger")
    func concurrentInstances() async throws {
        let bodies = Self.traffic()
        let single = try await StoreBackend.sqlite.makeStore(accounts: SimulatedAccount.demo.map(\.account))
        _ = try await single.ingest(bodies)
        let expected = try await Self.reports(single)

        let settings = try StoreBackend.freshSchemaSettings()
        let first = try await open(settings)
        let second = try await open(settings)
        for account in SimulatedAccount.demo { _ = try await first.upsertAccount(account.account) }
        // Meta delivers to every subscribed app and retries: the first instance gets the first 70%
        // in order, the second the last 70% shuffled, so 40% reach both at about the same time;
        // each instance also has two deliveries in flight at once, as a server under load has.
        var random = SystemRandomNumberGenerator()
        let cut = bodies.count * 3 / 10
        let toFirst = Array(bodies[..<(bodies.count - cut)])
        let toSecond = Array(bodies[cut...]).shuffled(using: &random)
        func feed(_ store: PostgresLedgerStore, _ bodies: [ReceivedBody], batch: Int, lane: Int) async throws {
            var index = lane * batch
            while index < bodies.count {
                _ = try await store.ingest(Array(bodies[index..<min(index + batch, bodies.count)]))
                index += 2 * batch
            }
        }
        try await withThrowingDiscardingTaskGroup { group in
            for lane in 0..<2 {
                group.addTask { try await feed(first, toFirst, batch: 25, lane: lane) }
                group.addTask { try await feed(second, toSecond, batch: 40, lane: lane) }
            }
        }
        #expect(try await first.archivedBodyCount() == toFirst.count + toSecond.count)
        let fromFirst = try await Self.reports(first)
        let fromSecond = try await Self.reports(second)
        for key in expected.keys.sorted() {
            #expect(fromFirst[key] == expected[key], "\(key)")
            #expect(fromSecond[key] == expected[key], "\(key)")
        }
        #expect(expected.values.contains { $0.conversations.delivered > 0 })
        #expect(expected.values.contains { $0.messages.charged > 0 })

        // And a rebuild from the interleaved archive gives the same ledger again.
        _ = try await second.rebuild(decoder: WebhookDecoder())
        #expect(try await Self.reports(first) == expected)
    }
}

/// Messages a store logged, at every level.
final class CapturedLog: Sendable {
    let messages = Mutex<[String]>([])
}

struct CapturingLogHandler: LogHandler {
    let log: CapturedLog
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        log.messages.withLock { $0.append(event.message.description) }
    }
}
