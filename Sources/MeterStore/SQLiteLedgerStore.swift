import CSQLiteSettings
import Foundation
import GRDB
import MeterCore
import WhatsAppWebhook

/// The embedded default: one SQLite file in WAL mode, through GRDB.
///
/// Durability: `synchronous = FULL`, so a committed transaction survives power loss as well as a
/// crash; callers acknowledge a webhook only after `ingest` returns, and group many bodies into one
/// transaction to keep the cost of that fsync low.
public final class SQLiteLedgerStore: LedgerStore {
    let writer: any DatabaseWriter
    private let dayCaches = DayKeyCaches()

    /// Opens (creating if needed) the database at `path` and migrates it.
    public init(path: String) throws {
        _ = Self.processConfiguration
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // 32 MiB of page cache per connection: the ingest path looks up random wamids, and a
            // small cache turns those into disk reads. Bounded, so memory stays bounded (64 MiB
            // was no faster on a 3 GB ledger and kept ingest's peak above 150 MB).
            try db.execute(sql: "PRAGMA cache_size = -32768")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        // Set on the pool's one writer connection after the pool has opened it: the pool puts WAL
        // mode in place with `synchronous = NORMAL` (no sync at commit) after `prepareDatabase`,
        // which undid `FULL` set there (SQLiteDurabilityTests).
        try pool.barrierWriteWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        writer = pool
        try SQLiteSchema.migrate(writer)
    }

    /// An in-memory database, for tests.
    public init() throws {
        _ = Self.processConfiguration
        writer = try DatabaseQueue()
        try SQLiteSchema.migrate(writer)
    }

    /// SQLite's process-wide settings are made as the program loads (`CSQLiteSettings`); asking
    /// for their outcome here also keeps them linked into every program that opens a store.
    static var processConfiguration: Int32 { wameter_sqlite_process_configuration() }

    // MARK: - Accounts

    public func upsertAccount(_ account: Account) async throws -> AccountChange {
        let problems = Account.validate(id: account.id, timezone: account.timezone, currency: account.currency)
        guard problems.isEmpty else { throw LedgerStoreError.invalidAccount(account.id, problems) }
        return try await writer.write { db in
            let existing = try Row.fetchOne(
                db, sql: "SELECT \(SQLiteRecords.accountColumns) FROM accounts WHERE id = ?", arguments: [account.id]
            ).map { SQLiteRecords.account(from: $0) }
            let account = account.filled(from: existing)
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO accounts (id, name, timezone, currency, portfolio, auto_created)
                    VALUES (?, ?, ?, ?, ?, 0)
                    """,
                arguments: [account.id, account.name, account.timezone, account.currency, account.portfolio])
            let change = AccountChange.of(storing: account, over: existing)
            if change == .updated(timezoneChanged: true) {
                // Day buckets are local days: move every counter of the account to the new zone.
                try db.execute(sql: "DELETE FROM day_counters WHERE account = ?", arguments: [account.id])
                try db.execute(sql: "DELETE FROM half_hour_counters WHERE account = ?", arguments: [account.id])
                var writer = SQLiteLedgerWriter(db: db, dayCaches: dayCaches)
                try writer.addContributions(of: account.id)
                try writer.flushRollups()
            }
            return change
        }
    }

    public func account(id: String) async throws -> Account? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(SQLiteRecords.accountColumns) FROM accounts WHERE id = ?", arguments: [id]
            ).map { SQLiteRecords.account(from: $0) }
        }
    }

    public func accounts() async throws -> [Account] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \(SQLiteRecords.accountColumns) FROM accounts ORDER BY id")
                .map { SQLiteRecords.account(from: $0) }
        }
    }

    // MARK: - Rates

    public func importRates(
        _ entries: [RateEntry], tiers: [TierEntry], kind: RateCardEdition.Kind, importedAt: Int64
    ) async throws {
        let cards = RateCardImports.cards(of: entries, tiers: tiers, kind: kind)
        try await writer.write { db in
            let existing = try db.cachedStatement(
                sql: "SELECT kind FROM rate_cards WHERE currency = ? AND effective_from = ? AND product = ?")
            let saveCard = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO rate_cards (currency, effective_from, product, kind, imported_at)
                    VALUES (?, ?, ?, ?, ?)
                    """)
            let clearRates = try db.cachedStatement(
                sql: "DELETE FROM rates WHERE currency = ? AND effective_from = ? AND (category = ?) = ?")
            for card in cards {
                let stored = try String.fetchOne(
                    existing, arguments: [card.currency, card.effectiveFrom, card.product.rawValue])
                if card.replacesRates {
                    try clearRates.execute(arguments: [
                        card.currency, card.effectiveFrom, RateCardEdition.callingCategory, card.product == .calling,
                    ])
                }
                let kind = card.storedKind(over: stored.flatMap(RateCardEdition.Kind.init(rawValue:)))
                try saveCard.execute(arguments: [
                    card.currency, card.effectiveFrom, card.product.rawValue, kind.rawValue, importedAt,
                ])
            }
            let statement = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO rates (effective_from, currency, market, category, rate)
                    VALUES (?, ?, ?, ?, ?)
                    """)
            for entry in entries {
                try statement.execute(arguments: [
                    entry.effectiveFrom, entry.currency, entry.market, entry.category, StoredDecimal.text(entry.rate),
                ])
            }
            // A tier table is replaced whole: a new table with other bounds must not keep old tiers.
            let clear = try db.cachedStatement(
                sql: "DELETE FROM rate_tiers WHERE effective_from = ? AND currency = ? AND market = ? AND category = ?")
            for tier in tiers {
                try clear.execute(arguments: [tier.effectiveFrom, tier.currency, tier.market, tier.category])
            }
            let insertTier = try db.cachedStatement(
                sql: """
                    INSERT INTO rate_tiers (effective_from, currency, market, category, volume_from, volume_to, rate)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            for tier in tiers {
                try insertTier.execute(arguments: [
                    tier.effectiveFrom, tier.currency, tier.market, tier.category, tier.volumeFrom, tier.volumeTo,
                    StoredDecimal.text(tier.rate),
                ])
            }
        }
    }

    public func rateEntries() async throws -> [RateEntry] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT \(SQLiteRecords.rateColumns) FROM rates ORDER BY currency, market, category, effective_from"
            ).map { SQLiteRecords.rateEntry(from: $0) }
        }
    }

    public func rateCards() async throws -> [ImportedRateCardInfo] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT \(SQLiteRecords.rateCardColumns) FROM rate_cards ORDER BY currency, effective_from, product"
            ).map { SQLiteRecords.rateCard(from: $0) }
        }
    }

    public func removeRateCard(
        currency: String, effectiveFrom: DayKey, product: RateCardEdition.Product
    ) async throws -> Bool {
        try await writer.write { db in
            let rows: StatementArguments = [
                currency, effectiveFrom, RateCardEdition.callingCategory, product == .calling,
            ]
            try db.execute(
                sql: "DELETE FROM rates WHERE currency = ? AND effective_from = ? AND (category = ?) = ?",
                arguments: rows)
            try db.execute(
                sql: "DELETE FROM rate_tiers WHERE currency = ? AND effective_from = ? AND (category = ?) = ?",
                arguments: rows)
            try db.execute(
                sql: "DELETE FROM rate_cards WHERE currency = ? AND effective_from = ? AND product = ?",
                arguments: [currency, effectiveFrom, product.rawValue])
            return db.changesCount > 0
        }
    }

    public func tierEntries() async throws -> [TierEntry] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(SQLiteRecords.tierColumns) FROM rate_tiers
                    ORDER BY currency, market, category, effective_from, volume_from
                    """
            ).map { SQLiteRecords.tierEntry(from: $0) }
        }
    }

    // MARK: - Ingest

    /// One: the writer commits one transaction at a time, so a second batch would only wait,
    /// holding memory.
    public var ingestsInFlight: Int { 1 }

    public func ingest(_ prepared: PreparedBodies) async throws -> IngestOutcome {
        // Writes are serial here, so the archive's turn (`ArchiveTurn`) is the whole transaction.
        await prepared.archiveTurn?.waitForPrevious()
        defer { prepared.archiveTurn?.end() }
        // Joined per record by the caller (`PreparedBodies`): the one writer has enough to do.
        return try await writer.write { db in
            let archive = try db.cachedStatement(
                sql: "INSERT INTO raw_bodies (received_at, source, on_premises_account, body) VALUES (?, ?, ?, ?)")
            for body in prepared.archived {
                try archive.executeBound(in: db) {
                    $0.bind(body.receivedAt, body.source, body.onPremisesAccount)
                    $0.bind(body.bytes)
                }
            }
            // Re-delivered bodies are archived too (the archive is a record of what arrived) and merge
            // into the ledger as no-ops: the merge is idempotent.
            var writer = SQLiteLedgerWriter(db: db, dayCaches: dayCaches)
            try writer.apply(prepared.batch)
            try writer.flushRollups()
            var outcome = writer.outcome
            outcome.bodies = prepared.count
            return outcome
        }
    }

    public func rebuild(
        decoder: WebhookDecoder, progress: (@Sendable (Int) -> Void)?
    ) async throws -> IngestOutcome {
        try await rebuild(decoder: decoder, progress: progress, limits: .standard)
    }

    /// `rebuild` with other batch and counter limits (tests take the paths a large archive takes).
    func rebuild(
        decoder: WebhookDecoder, progress: (@Sendable (Int) -> Void)?, limits: ArchiveReplay.Limits
    ) async throws -> IngestOutcome {
        try await writer.write { db in
            try Self.rebuildLedger(db, decoder: decoder, dayCaches: self.dayCaches, progress: progress, limits: limits)
        }
    }

    /// Clears every derived table and replays the archive into it, inside the caller's transaction.
    static func rebuildLedger(
        _ db: Database, decoder: WebhookDecoder, dayCaches: DayKeyCaches, progress: (@Sendable (Int) -> Void)? = nil,
        limits: ArchiveReplay.Limits = .standard
    ) throws
        -> IngestOutcome
    {
        for table in [
            "messages", "conversations", "inbound_messages", "day_counters", "half_hour_counters", "tier_updates",
            "phone_numbers", "calls", "echo_messages",
        ] {
            try db.execute(sql: "DELETE FROM \(table)")
        }
        var writer = SQLiteLedgerWriter(db: db, dayCaches: dayCaches)
        var replay = ArchiveReplay(decoder: decoder, limits: limits)
        let rows = try Row.fetchCursor(db, sql: "SELECT id, on_premises_account, body FROM raw_bodies ORDER BY id")
        while let row = try rows.next() {
            replay.add(id: row[0], body: row[2], onPremisesAccount: row[1])
            if replay.isBatchFull {
                try writer.apply(replay.takeBatch())
                if writer.pendingCounterChanges >= limits.maxPendingCounterChanges { try writer.flushRollups() }
                progress?(replay.replayed)
            }
        }
        if replay.hasBatch {
            try writer.apply(replay.takeBatch())
            progress?(replay.replayed)
        }
        try writer.flushRollups()
        return replay.outcome(writer.outcome)
    }

    public func archivedBodyCount() async throws -> Int {
        try await writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM raw_bodies") ?? 0 }
    }

    public func archivedBodies(after id: Int64, limit: Int) async throws -> [ArchivedBody] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, received_at, source, on_premises_account, body FROM raw_bodies
                    WHERE id > ? ORDER BY id LIMIT ?
                    """,
                arguments: [id, limit]
            ).map {
                ArchivedBody(
                    id: $0["id"], receivedAt: $0["received_at"], source: $0["source"],
                    onPremisesAccount: $0["on_premises_account"], bytes: $0["body"])
            }
        }
    }

    public func ping() async throws {
        _ = try await writer.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    // MARK: - Reads

    public var dayKeyCaches: DayKeyCaches { dayCaches }

    public func withSnapshot<T: Sendable>(
        _ body: @escaping @Sendable (any LedgerSnapshot) async throws -> T
    ) async throws -> T {
        try await SQLiteReadTransaction.withTransaction(on: writer) { try await body(SQLiteSnapshot(transaction: $0)) }
    }
}
