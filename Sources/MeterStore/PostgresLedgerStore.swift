import Foundation
import Logging
import MeterCore
import PostgresNIO
import WhatsAppWebhook

/// The store for several instances on one database: PostgreSQL through PostgresNIO's pooled client.
///
/// Every instance may ingest at any time; `PostgresLedgerWriter` makes concurrent merges of the
/// same records exact. Whole-ledger rewrites (rebuild, an account's time zone change) take the
/// ledger lock exclusively and so wait for in-flight ingests and hold off new ones.
///
/// Durability: PostgreSQL's default `synchronous_commit = on`, so `ingest` returns only after the
/// commit is flushed to its WAL; callers acknowledge a webhook only then.
public final class PostgresLedgerStore: LedgerStore {
    public let settings: PostgresSettings
    private let client: PostgresClient
    private let running: Task<Void, Never>
    let transactions: PostgresTransactions
    let logger: Logger
    private let dayCaches = DayKeyCaches()
    private let ledgerLock: Int64

    private init(settings: PostgresSettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        let client = PostgresClient(configuration: try settings.clientConfiguration(), backgroundLogger: logger)
        self.client = client
        // The client's connections live as long as this task; `close()` ends it. Started at once, on
        // this thread, up to its first suspension: `run()` marks the client running there, so the
        // first query (the migrations, right after) finds it so; with a plain `Task` it could run
        // first and PostgresNIO warned that `run()` had not been called, on every command.
        running = Task.immediate { await client.run() }
        transactions = PostgresTransactions(client: client, logger: logger, timeout: settings.operationTimeout)
        ledgerLock = PostgresLocks.ledger(schema: settings.schema)
    }

    /// Connects and migrates. Call `close()` when done with the store.
    ///
    /// One direct connection is made first: a wrong password, an unknown database or a refused
    /// connection fails at once with the server's reason, where the pool would only time out.
    public static func open(_ settings: PostgresSettings, logger: Logger) async throws -> PostgresLedgerStore {
        do {
            let probe = try await PostgresConnection.connect(
                configuration: try settings.connectionConfiguration(), id: 0, logger: logger)
            try await probe.close()
        } catch let error as PSQLError {
            throw PostgresStoreError.failed(describe(error))
        }
        let store = try PostgresLedgerStore(settings: settings, logger: logger)
        do {
            let (ledgerLock, dayCaches) = (store.ledgerLock, store.dayCaches)
            try await store.transactions.run(deadline: .wholeLedger) { connection in
                try await PostgresSchema.migrate(connection, schema: settings.schema, logger: logger) {
                    // A migration that changes what the ledger derives replays the archive.
                    _ = try await rebuildLedger(
                        $0, decoder: WebhookDecoder(), ledgerLock: ledgerLock, dayCaches: dayCaches, logger: logger)
                }
            }
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    /// Closes every connection. The store is unusable afterwards.
    public func close() async {
        running.cancel()
        await running.value
    }

    // MARK: - Accounts

    public func upsertAccount(_ account: Account) async throws -> AccountChange {
        let problems = Account.validate(id: account.id, timezone: account.timezone, currency: account.currency)
        guard problems.isEmpty else { throw LedgerStoreError.invalidAccount(account.id, problems) }
        let (logger, ledgerLock, dayCaches) = (self.logger, self.ledgerLock, self.dayCaches)
        return try await transactions.run { connection in
            // Exclusive: a time zone change moves every counter of the account, which must not
            // interleave with an ingest that bucketed days in the old zone.
            try await connection.query("SELECT pg_advisory_xact_lock(\(ledgerLock))", logger: logger)
            let existing = try await Self.accounts(
                connection, logger,
                "SELECT \(unescaped: Self.accountColumns) FROM accounts WHERE id = \(account.id) FOR UPDATE"
            ).first
            let account = account.filled(from: existing)
            try await connection.query(
                """
                INSERT INTO accounts (id, name, timezone, currency, portfolio, auto_created)
                VALUES (\(account.id), \(account.name), \(account.timezone), \(account.currency), \(account.portfolio), false)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, timezone = excluded.timezone,
                    currency = excluded.currency, portfolio = excluded.portfolio, auto_created = false
                """, logger: logger)
            let change = AccountChange.of(storing: account, over: existing)
            if change == .updated(timezoneChanged: true) {
                try await connection.query("DELETE FROM day_counters WHERE account = \(account.id)", logger: logger)
                try await connection.query(
                    "DELETE FROM half_hour_counters WHERE account = \(account.id)", logger: logger)
                var writer = PostgresLedgerWriter(connection: connection, logger: logger, dayCaches: dayCaches)
                try await writer.addContributions(of: account.id)
                try await writer.flushRollups()
            }
            return change
        }
    }

    public func account(id: String) async throws -> Account? {
        let logger = logger
        return try await transactions.run(.repeatableReadOnly) { connection in
            try await Self.accounts(
                connection, logger, "SELECT \(unescaped: Self.accountColumns) FROM accounts WHERE id = \(id)"
            ).first
        }
    }

    public func accounts() async throws -> [Account] {
        let logger = logger
        return try await transactions.run(.repeatableReadOnly) { connection in
            try await Self.accounts(
                connection, logger, "SELECT \(unescaped: Self.accountColumns) FROM accounts ORDER BY id")
        }
    }

    static let accountColumns = "id, name, timezone, currency, portfolio, auto_created"
    static let rateColumns = "effective_from, currency, market, category, rate"
    static let tierColumns = "effective_from, currency, market, category, volume_from, volume_to, rate"

    /// Accounts from a query selecting `accountColumns`.
    static func accounts(
        _ connection: PostgresConnection, _ logger: Logger, _ query: PostgresQuery
    ) async throws -> [Account] {
        var accounts: [Account] = []
        for try await (id, name, timezone, currency, portfolio, autoCreated) in try await connection.query(
            query, logger: logger
        ).decode((String, String?, String, String, String?, Bool).self) {
            accounts.append(
                Account(
                    id: id, name: name, timezone: timezone, currency: currency, portfolio: portfolio,
                    autoCreated: autoCreated))
        }
        return accounts
    }

    // MARK: - Rates

    public func importRates(
        _ entries: [RateEntry], tiers: [TierEntry], kind: RateCardEdition.Kind, importedAt: Int64
    ) async throws {
        let logger = logger
        let cards = RateCardImports.cards(of: entries, tiers: tiers, kind: kind)
        try await transactions.run { connection in
            for card in cards {
                let day = Int64(card.effectiveFrom)
                let product = card.product.rawValue
                var stored: RateCardEdition.Kind?
                for try await kind in try await connection.query(
                    """
                    SELECT kind FROM rate_cards
                    WHERE currency = \(card.currency) AND effective_from = \(day) AND product = \(product)
                    FOR UPDATE
                    """, logger: logger
                ).decode(String.self) {
                    stored = RateCardEdition.Kind(rawValue: kind)
                }
                if card.replacesRates {
                    try await connection.query(
                        """
                        DELETE FROM rates WHERE currency = \(card.currency) AND effective_from = \(day)
                            AND (category = \(RateCardEdition.callingCategory)) = \(card.product == .calling)
                        """, logger: logger)
                }
                let kind = card.storedKind(over: stored).rawValue
                try await connection.query(
                    """
                    INSERT INTO rate_cards (currency, effective_from, product, kind, imported_at)
                    VALUES (\(card.currency), \(day), \(product), \(kind), \(importedAt))
                    ON CONFLICT (currency, effective_from, product) DO UPDATE
                        SET kind = excluded.kind, imported_at = excluded.imported_at
                    """, logger: logger)
            }
            let rates = PostgresColumnArrays.insert(
                "INSERT INTO rates (effective_from, currency, market, category, rate)", columns: 5,
                rows: Self.lastOfEachKey(entries) {
                    [$0.effectiveFrom.description, $0.currency, $0.market, $0.category]
                },
                tail: "ON CONFLICT (effective_from, currency, market, category) DO UPDATE SET rate = excluded.rate"
            ) { entry, row in
                row.append(Int64(entry.effectiveFrom))
                row.append(entry.currency)
                row.append(entry.market)
                row.append(entry.category)
                row.append(StoredDecimal.text(entry.rate))
            }
            if let rates { try await connection.query(rates, logger: logger) }
            // A tier table is replaced whole: a new table with other bounds must not keep old tiers.
            for table in Set(tiers.map { TierTableKey($0) }) {
                try await connection.query(
                    """
                    DELETE FROM rate_tiers WHERE effective_from = \(Int64(table.effectiveFrom))
                        AND currency = \(table.currency) AND market = \(table.market) AND category = \(table.category)
                    """, logger: logger)
            }
            let tierRows = PostgresColumnArrays.insert(
                "INSERT INTO rate_tiers (effective_from, currency, market, category, volume_from, volume_to, rate)",
                columns: 7,
                rows: Self.lastOfEachKey(tiers) {
                    [$0.effectiveFrom.description, $0.currency, $0.market, $0.category, $0.volumeFrom.description]
                },
                tail: "ON CONFLICT (effective_from, currency, market, category, volume_from) DO UPDATE SET "
                    + "volume_to = excluded.volume_to, rate = excluded.rate"
            ) { tier, row in
                row.append(Int64(tier.effectiveFrom))
                row.append(tier.currency)
                row.append(tier.market)
                row.append(tier.category)
                row.append(Int64(tier.volumeFrom))
                row.append(tier.volumeTo.map(Int64.init))
                row.append(StoredDecimal.text(tier.rate))
            }
            if let tierRows { try await connection.query(tierRows, logger: logger) }
        }
    }

    private struct TierTableKey: Hashable {
        var effectiveFrom: DayKey
        var currency, market, category: String

        init(_ tier: TierEntry) {
            (effectiveFrom, currency, market, category) = (
                tier.effectiveFrom, tier.currency, tier.market, tier.category
            )
        }
    }

    /// One row per key, the last one given winning, as SQLite's `INSERT OR REPLACE` row by row does:
    /// one multi-row upsert may not touch the same row twice.
    private static func lastOfEachKey<Row>(_ rows: [Row], key: (Row) -> [String]) -> [Row] {
        var index: [[String]: Int] = [:]
        var unique: [Row] = []
        for row in rows {
            if let at = index[key(row)] {
                unique[at] = row
            } else {
                index[key(row)] = unique.count
                unique.append(row)
            }
        }
        return unique
    }

    public func rateEntries() async throws -> [RateEntry] {
        let logger = logger
        return try await transactions.run(.repeatableReadOnly) { connection in
            try await Self.rateEntries(
                connection, logger,
                "SELECT \(unescaped: Self.rateColumns) FROM rates ORDER BY currency, market, category, effective_from")
        }
    }

    public func rateCards() async throws -> [ImportedRateCardInfo] {
        let logger = logger
        return try await transactions.run(.repeatableReadOnly) { connection in
            try await Self.rateCards(
                connection, logger,
                "SELECT \(unescaped: Self.rateCardColumns) FROM rate_cards ORDER BY currency, effective_from, product")
        }
    }

    public func removeRateCard(
        currency: String, effectiveFrom: DayKey, product: RateCardEdition.Product
    ) async throws -> Bool {
        let logger = logger
        let day = Int64(effectiveFrom)
        let calling = product == .calling
        return try await transactions.run { connection in
            try await connection.query(
                """
                DELETE FROM rates WHERE currency = \(currency) AND effective_from = \(day)
                    AND (category = \(RateCardEdition.callingCategory)) = \(calling)
                """, logger: logger)
            try await connection.query(
                """
                DELETE FROM rate_tiers WHERE currency = \(currency) AND effective_from = \(day)
                    AND (category = \(RateCardEdition.callingCategory)) = \(calling)
                """, logger: logger)
            var removed = false
            for try await _ in try await connection.query(
                """
                DELETE FROM rate_cards WHERE currency = \(currency) AND effective_from = \(day)
                    AND product = \(product.rawValue)
                RETURNING kind
                """, logger: logger
            ).decode(String.self) {
                removed = true
            }
            return removed
        }
    }

    public func tierEntries() async throws -> [TierEntry] {
        let logger = logger
        return try await transactions.run(.repeatableReadOnly) { connection in
            try await Self.tierEntries(
                connection, logger,
                "SELECT \(unescaped: Self.tierColumns) FROM rate_tiers ORDER BY currency, market, category, effective_from, volume_from"
            )
        }
    }

    static func rateEntries(
        _ connection: PostgresConnection, _ logger: Logger, _ query: PostgresQuery
    ) async throws -> [RateEntry] {
        var entries: [RateEntry] = []
        for try await (from, currency, market, category, rate) in try await connection.query(query, logger: logger)
            .decode((Int64, String, String, String, String).self)
        {
            entries.append(
                RateEntry(
                    effectiveFrom: DayKey(from), currency: currency, market: market, category: category,
                    rate: StoredDecimal.rate(rate)))
        }
        return entries
    }

    static let rateCardColumns = "currency, effective_from, product, kind, imported_at"

    static func rateCards(
        _ connection: PostgresConnection, _ logger: Logger, _ query: PostgresQuery
    ) async throws -> [ImportedRateCardInfo] {
        var cards: [ImportedRateCardInfo] = []
        for try await (currency, from, product, kind, importedAt) in try await connection.query(query, logger: logger)
            .decode((String, Int64, String, String, Int64).self)
        {
            cards.append(
                ImportedRateCardInfo(
                    currency: currency, effectiveFrom: DayKey(from),
                    product: RateCardEdition.Product(rawValue: product) ?? .messaging,
                    kind: RateCardEdition.Kind(rawValue: kind) ?? .whole, importedAt: importedAt))
        }
        return cards
    }

    static func tierEntries(
        _ connection: PostgresConnection, _ logger: Logger, _ query: PostgresQuery
    ) async throws -> [TierEntry] {
        var entries: [TierEntry] = []
        for try await (from, currency, market, category, volumeFrom, volumeTo, rate) in try await connection.query(
            query, logger: logger
        ).decode((Int64, String, String, String, Int64, Int64?, String).self) {
            entries.append(
                TierEntry(
                    effectiveFrom: DayKey(from), currency: currency, market: market, category: category,
                    volumeFrom: Int(volumeFrom), volumeTo: volumeTo.map(Int.init), rate: StoredDecimal.rate(rate)))
        }
        return entries
    }

    // MARK: - Ingest

    /// Two: while one batch's statements run in the server (and its commit is flushed), the next
    /// batch's transaction merges here. Rows both touch are taken under row locks, as between
    /// instances (measured: a 202,013-body ingest 12–18% faster than one at a time; a third adds
    /// memory, not speed).
    public var ingestsInFlight: Int { 2 }

    public func ingest(_ prepared: PreparedBodies) async throws -> IngestOutcome {
        let (logger, ledgerLock, dayCaches) = (self.logger, self.ledgerLock, self.dayCaches)
        // The previous batch of a pipeline archives first (so the archive keeps the input's order),
        // waited for before taking a connection, which it may need.
        let turn = prepared.archiveTurn
        await turn?.waitForPrevious()
        defer { turn?.end() }
        // Joined per record before the transaction (`PreparedBodies`): it then holds its locks for
        // less time.
        return try await transactions.run { connection in
            try await connection.query("SELECT pg_advisory_xact_lock_shared(\(ledgerLock))", logger: logger)
            var writer = PostgresLedgerWriter(connection: connection, logger: logger, dayCaches: dayCaches)
            // Re-delivered bodies are archived too and merge into the ledger as no-ops. The archive
            // insert needs nothing from the merge, so it is queued on the connection beside the
            // ledger's statements (the connection runs them one after another, in the order they
            // are queued): the server inserts the bodies while this side merges what it loaded.
            async let archived: Void = {
                try await PostgresLedgerWriter.archive(prepared.archived, on: connection, logger: logger)
                turn?.end()
            }()
            var ledgerFailure: (any Error)?
            do {
                try await writer.apply(prepared.batch)
                try await writer.flushRollups()
            } catch {
                ledgerFailure = error
            }
            do {
                try await archived
            } catch {
                // The first failure aborts the transaction, and whatever was queued after it then
                // fails with "current transaction is aborted": report the cause.
                if ledgerFailure == nil || !PostgresTransactions.isAbortedTransaction(error) { throw error }
            }
            if let ledgerFailure { throw ledgerFailure }
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
        let (logger, ledgerLock, dayCaches) = (self.logger, self.ledgerLock, self.dayCaches)
        return try await transactions.run(deadline: .wholeLedger) { connection in
            try await Self.rebuildLedger(
                connection, decoder: decoder, ledgerLock: ledgerLock, dayCaches: dayCaches, logger: logger,
                progress: progress, limits: limits)
        }
    }

    /// Clears every derived table and replays the archive into it, inside the caller's transaction
    /// (`rebuild`, and migrations that change what the ledger derives).
    static func rebuildLedger(
        _ connection: PostgresConnection, decoder: WebhookDecoder, ledgerLock: Int64, dayCaches: DayKeyCaches,
        logger: Logger, progress: (@Sendable (Int) -> Void)? = nil, limits: ArchiveReplay.Limits = .standard
    ) async throws -> IngestOutcome {
        try await connection.query("SELECT pg_advisory_xact_lock(\(ledgerLock))", logger: logger)
        try await connection.query(
            """
            TRUNCATE messages, conversations, inbound_messages, day_counters, half_hour_counters, tier_updates,
                phone_numbers, calls, echo_messages
            """,
            logger: logger)
        var writer = PostgresLedgerWriter(connection: connection, logger: logger, dayCaches: dayCaches)
        var replay = ArchiveReplay(decoder: decoder, limits: limits)
        var after: Int64 = 0
        // Pages by id: the connection cannot run the writer's statements while a result is open.
        while true {
            var read = 0
            for try await (id, onPremises, bytes) in try await connection.query(
                """
                SELECT id, on_premises_account, body FROM raw_bodies WHERE id > \(after) ORDER BY id
                LIMIT \(limits.batchSize)
                """,
                logger: logger
            ).decode((Int64, String, Data).self) {
                after = id
                read += 1
                replay.add(id: id, body: bytes, onPremisesAccount: onPremises)
            }
            if read == 0 { break }
            try await writer.apply(replay.takeBatch())
            // The exclusive ledger lock is held: several counter flushes cannot meet another writer's.
            if writer.pendingCounterChanges >= limits.maxPendingCounterChanges {
                try await writer.flushRollups()
            }
            progress?(replay.replayed)
        }
        try await writer.flushRollups()
        return replay.outcome(writer.outcome)
    }

    public func archivedBodyCount() async throws -> Int {
        let logger = logger
        return try await transactions.run(.repeatableReadOnly) { connection in
            var count = 0
            for try await n in try await connection.query("SELECT count(*) FROM raw_bodies", logger: logger)
                .decode(Int.self)
            {
                count = n
            }
            return count
        }
    }

    public func archivedBodies(after id: Int64, limit: Int) async throws -> [ArchivedBody] {
        let logger = logger
        return try await transactions.run(.repeatableReadOnly) { connection in
            var bodies: [ArchivedBody] = []
            for try await (id, receivedAt, source, onPremises, bytes) in try await connection.query(
                """
                SELECT id, received_at, source, on_premises_account, body FROM raw_bodies
                WHERE id > \(id) ORDER BY id LIMIT \(limit)
                """, logger: logger
            ).decode((Int64, Int64, String, String, Data).self) {
                bodies.append(
                    ArchivedBody(
                        id: id, receivedAt: receivedAt, source: source, onPremisesAccount: onPremises, bytes: bytes))
            }
            return bodies
        }
    }

    public func ping() async throws {
        let logger = logger
        _ = try await transactions.run(.repeatableReadOnly) { connection in
            try await connection.query("SELECT 1", logger: logger)
        }
    }

    // MARK: - Reads

    public var dayKeyCaches: DayKeyCaches { dayCaches }

    public func withSnapshot<T: Sendable>(
        _ body: @escaping @Sendable (any LedgerSnapshot) async throws -> T
    ) async throws -> T {
        let logger = logger
        return try await transactions.run(.repeatableReadOnly) { connection in
            try await body(PostgresSnapshot(connection: connection, logger: logger))
        }
    }
}

extension PostgresLedgerStore {
    /// A readable account of a store error. PostgresNIO's errors print a generic text by design (so
    /// that queries and values do not leak into logs); the server's own message and code are safe
    /// and say what went wrong.
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let message = error.serverInfo?[.message] {
            return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
        }
        if error.code == .sslUnsupported {
            return "the server does not accept TLS connections (use sslmode=prefer or disable to connect without)"
        }
        if let underlying = error.underlying { return String(describing: underlying) }
        return "\(error.code)"
    }
}
