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
    private let writer: any DatabaseWriter
    private let dayCaches = DayKeyCaches()

    /// Opens (creating if needed) the database at `path` and migrates it.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // 64 MiB of page cache per connection: the ingest path looks up random wamids, and a
            // small cache turns those into disk reads. Bounded, so memory stays bounded.
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        writer = try DatabasePool(path: path, configuration: configuration)
        try SQLiteSchema.migrator.migrate(writer)
    }

    /// An in-memory database, for tests.
    public init() throws {
        writer = try DatabaseQueue()
        try SQLiteSchema.migrator.migrate(writer)
    }

    // MARK: - Accounts

    public func upsertAccount(_ account: Account) async throws -> AccountChange {
        let problems = Account.validate(id: account.id, timezone: account.timezone, currency: account.currency)
        guard problems.isEmpty else { throw LedgerStoreError.invalidAccount(account.id, problems) }
        return try await writer.write { db in
            let existing = try Row.fetchOne(db, sql: "SELECT * FROM accounts WHERE id = ?", arguments: [account.id])
                .map(Self.account(from:))
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
                try db.execute(sql: "DELETE FROM rollups WHERE account = ?", arguments: [account.id])
                var ledger = SQLiteLedgerWriter(db: db, dayCaches: dayCaches)
                try ledger.addContributions(of: account.id)
                try ledger.flushRollups()
            }
            return change
        }
    }

    public func account(id: String) async throws -> Account? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM accounts WHERE id = ?", arguments: [id]).map(Self.account(from:))
        }
    }

    public func accounts() async throws -> [Account] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM accounts ORDER BY id").map(Self.account(from:))
        }
    }

    private static func account(from row: Row) -> Account {
        Account(
            id: row["id"], name: row["name"], timezone: row["timezone"], currency: row["currency"],
            portfolio: row["portfolio"], autoCreated: row["auto_created"])
    }

    // MARK: - Rates

    public func importRates(_ entries: [RateEntry], tiers: [TierEntry]) async throws {
        try await writer.write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO rates (effective_from, currency, market, category, rate)
                    VALUES (?, ?, ?, ?, ?)
                    """)
            for entry in entries {
                try statement.execute(arguments: [
                    entry.effectiveFrom, entry.currency, entry.market, entry.category, "\(entry.rate)",
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
                    "\(tier.rate)",
                ])
            }
        }
    }

    public func rateEntries() async throws -> [RateEntry] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM rates ORDER BY currency, market, category, effective_from")
                .map(Self.rateEntry(from:))
        }
    }

    public func tierEntries() async throws -> [TierEntry] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM rate_tiers ORDER BY currency, market, category, effective_from, volume_from"
            ).map(Self.tierEntry(from:))
        }
    }

    /// Rates are stored as decimal text, written by `importRates` from a `Decimal`.
    private static func rateEntry(from row: Row) -> RateEntry {
        RateEntry(
            effectiveFrom: row["effective_from"], currency: row["currency"], market: row["market"],
            category: row["category"], rate: decimal(row["rate"]))
    }

    private static func tierEntry(from row: Row) -> TierEntry {
        TierEntry(
            effectiveFrom: row["effective_from"], currency: row["currency"], market: row["market"],
            category: row["category"], volumeFrom: row["volume_from"], volumeTo: row["volume_to"],
            rate: decimal(row["rate"]))
    }

    private static func decimal(_ text: String) -> Decimal {
        Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) ?? 0
    }

    // MARK: - Ingest

    public func ingest(_ bodies: [ReceivedBody]) async throws -> IngestOutcome {
        try await writer.write { db in
            let archive = try db.cachedStatement(
                sql: "INSERT INTO raw_bodies (received_at, source, on_premises_account, body) VALUES (?, ?, ?, ?)")
            for body in bodies {
                try archive.execute(arguments: [body.receivedAt, body.source, body.onPremisesAccount, body.bytes])
            }
            // Re-delivered bodies are archived too (the archive is a record of what arrived) and merge
            // into the ledger as no-ops: the merge is idempotent.
            var ledger = SQLiteLedgerWriter(db: db, dayCaches: dayCaches)
            try ledger.apply(bodies.map { ($0.events, $0.onPremisesAccount) })
            try ledger.flushRollups()
            var outcome = ledger.outcome
            outcome.bodies = bodies.count
            return outcome
        }
    }

    public func rebuild(decoder: WebhookDecoder) async throws -> IngestOutcome {
        try await writer.write { db in try Self.rebuildLedger(db, decoder: decoder, dayCaches: self.dayCaches) }
    }

    /// Clears every derived table and replays the archive into it, inside the caller's transaction.
    static func rebuildLedger(
        _ db: Database, decoder: WebhookDecoder, dayCaches: DayKeyCaches
    ) throws
        -> IngestOutcome
    {
        for table in ["messages", "conversations", "inbound_messages", "rollups", "tier_updates"] {
            try db.execute(sql: "DELETE FROM \(table)")
        }
        var ledger = SQLiteLedgerWriter(db: db, dayCaches: dayCaches)
        var batch: [(events: [WebhookEvent], onPremisesAccount: String)] = []
        var bodies = 0
        var skipped: [Int64] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT id, on_premises_account, body FROM raw_bodies ORDER BY id")
        while let row = try rows.next() {
            let bytes: Data = row["body"]
            let onPremises: String = row["on_premises_account"]
            bodies += 1
            do {
                batch.append((try decoder.decode(bytes, onPremisesAccount: onPremises), onPremises))
            } catch {
                skipped.append(row["id"])
                continue
            }
            if batch.count == 2_000 {
                try ledger.apply(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try ledger.apply(batch)
        try ledger.flushRollups()
        var outcome = ledger.outcome
        outcome.bodies = bodies
        outcome.skippedArchivedBodies = skipped
        return outcome
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

    // MARK: - Reports

    public func reportInputs(account: Account, month: YearMonth, now: Int64) async throws -> ReportInputs {
        guard let calendar = BillingCalendar(timezoneIdentifier: account.timezone) else {
            throw LedgerStoreError.invalidAccount(account.id, ["unknown time zone \(account.timezone)"])
        }
        let days = dayCaches.cache(for: account.timezone)
        let range = calendar.range(of: month)
        let dropCutoff = now - PricingRules.dropAfterSeconds
        let freeTier = PricingRules.conversationFreeTier(for: month)
        let currency = account.currency
        return try await writer.read { db in
            let rollups = try Row.fetchAll(
                db,
                sql: """
                    SELECT day, metric, category, country, count FROM rollups
                    WHERE account = ? AND day BETWEEN ? AND ?
                    """,
                arguments: [account.id, month.firstDay, month.lastPossibleDay]
            ).compactMap { row -> RollupRow? in
                guard let metric = RollupMetric(rawValue: row["metric"]) else { return nil }
                return RollupRow(
                    key: RollupKey(day: row["day"], metric: metric, category: row["category"], country: row["country"]),
                    count: row["count"])
            }

            var free: [FreeTierConversation] = []
            if case .first(let limit, let serviceOnly) = freeTier {
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT first_delivered_at, category, recipient_number, recipient_country_code FROM conversations
                        WHERE account = ? AND first_delivered_at >= ? AND first_delivered_at < ?
                          AND is_free_entry_point = 0 \(serviceOnly ? "AND category = 'service'" : "")
                        ORDER BY first_delivered_at, conversation_id
                        LIMIT ?
                        """,
                    arguments: [account.id, range.lowerBound, range.upperBound, limit])
                free = rows.map { row in
                    FreeTierConversation(
                        day: days.day(of: row["first_delivered_at"]), category: row["category"] ?? "unknown",
                        country: RecipientCountry.of(
                            number: row["recipient_number"], countryCode: row["recipient_country_code"]))
                }
            }

            func undelivered(_ sql: String) throws -> UndeliveredCounts {
                let total =
                    try Int.fetchOne(db, sql: sql, arguments: [account.id, range.lowerBound, range.upperBound]) ?? 0
                let dropped =
                    try Int.fetchOne(
                        db, sql: sql, arguments: [account.id, range.lowerBound, min(range.upperBound, dropCutoff + 1)])
                    ?? 0
                return UndeliveredCounts(total: total, dropped: dropped)
            }
            let messages = try undelivered(
                """
                SELECT count(*) FROM messages
                WHERE account = ? AND delivered_at IS NULL AND failed_at IS NULL AND sent_at >= ? AND sent_at < ?
                  AND is_group = 0
                """)
            let conversations = try undelivered(
                """
                SELECT count(*) FROM conversations
                WHERE account = ? AND first_delivered_at IS NULL AND first_sent_at >= ? AND first_sent_at < ?
                """)
            let rates = try Self.rateCard(db, currency: currency)
            let volumeTiers = try Self.volumeTierInputs(
                db, account: account, month: month, ownRollups: rollups, rates: rates, dayCaches: self.dayCaches)
            let webhookPriced = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(SQLiteLedgerWriter.messageColumns) FROM messages
                    WHERE account = ? AND cost_amount IS NOT NULL AND delivered_at >= ? AND delivered_at < ?
                    """,
                arguments: [account.id, range.lowerBound, range.upperBound]
            ).compactMap {
                WebhookPricedMessage.of(SQLiteLedgerWriter.message(from: $0), currency: currency, days: days)
            }
            return ReportInputs(
                account: account, month: month, rollups: rollups, freeTierConversations: free,
                undeliveredMessages: messages, undeliveredConversations: conversations, rates: rates,
                volumeTiers: volumeTiers, webhookPriced: webhookPriced)
        }
    }

    /// The imported card for a currency, or the built-in one while nothing has been imported.
    private static func rateCard(_ db: Database, currency: String) throws -> RateCard {
        let anyImported =
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM rates) OR EXISTS (SELECT 1 FROM rate_tiers)") ?? false
        let rates = try Row.fetchAll(db, sql: "SELECT * FROM rates WHERE currency = ?", arguments: [currency])
            .map(rateEntry(from:))
        let tiers = try Row.fetchAll(db, sql: "SELECT * FROM rate_tiers WHERE currency = ?", arguments: [currency])
            .map(tierEntry(from:))
        return DefaultRateCard.card(imported: rates, tiers: tiers, anyImported: anyImported)
    }

    /// The portfolio's tier pools for the month: every account's charged tier-counted cells (each in
    /// its own time zone), and, only for pools that pass a tier boundary, their messages in delivery
    /// order. Pools below their first boundary are priced from the counts alone.
    private static func volumeTierInputs(
        _ db: Database, account: Account, month: YearMonth, ownRollups: [RollupRow], rates: RateCard,
        dayCaches: DayKeyCaches
    ) throws -> VolumeTierInputs {
        var members = [account]
        if let portfolio = account.portfolio {
            members += try Row.fetchAll(
                db, sql: "SELECT * FROM accounts WHERE portfolio = ? AND id <> ? ORDER BY id",
                arguments: [portfolio, account.id]
            ).map(Self.account(from:))
        }
        var portfolioRollups = ownRollups.filter { $0.key.metric == .messageCharged }
        for member in members.dropFirst() {
            portfolioRollups += try Row.fetchAll(
                db,
                sql: """
                    SELECT day, category, country, count FROM rollups
                    WHERE account = ? AND day BETWEEN ? AND ? AND metric = ? AND category IN \(LedgerSQL.tieredCategories)
                    """,
                arguments: [member.id, month.firstDay, month.lastPossibleDay, RollupMetric.messageCharged.rawValue]
            ).map {
                RollupRow(
                    key: RollupKey(
                        day: $0["day"], metric: .messageCharged, category: $0["category"], country: $0["country"]),
                    count: $0["count"])
            }
        }
        let crossing = VolumeTierPricing.poolsCrossingATier(
            VolumeTierPricing.cells(of: portfolioRollups), currency: account.currency, card: rates)
        var units: [TierUnit] = []
        if !crossing.isEmpty {
            for member in members {
                guard let calendar = BillingCalendar(timezoneIdentifier: member.timezone) else { continue }
                let range = calendar.range(of: month)
                let days = dayCaches.cache(for: member.timezone)
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT \(SQLiteLedgerWriter.messageColumns) FROM messages
                        WHERE account = ? AND delivered_at >= ? AND delivered_at < ?
                          AND pricing_category IN \(LedgerSQL.tieredCategories)
                        """,
                    arguments: [member.id, range.lowerBound, range.upperBound])
                while let row = try rows.next() {
                    if let unit = TierUnit.of(SQLiteLedgerWriter.message(from: row), days: days) { units.append(unit) }
                }
            }
        }
        let memberIDs = members.map(\.id)
        let updates = try Row.fetchAll(
            db,
            sql: """
                SELECT * FROM tier_updates
                WHERE effective_month = ? AND account IN (\(memberIDs.map { _ in "?" }.joined(separator: ", ")))
                """,
            arguments: StatementArguments([month.description] + memberIDs)
        ).map {
            TierUpdate(
                account: $0["account"], effectiveMonth: $0["effective_month"], region: $0["region"],
                pricingCategory: $0["pricing_category"], tier: $0["tier"], updatedAt: $0["tier_update_time"])
        }
        return VolumeTierInputs(
            portfolioRollups: portfolioRollups, orderedPools: crossing, orderedUnits: units, updates: updates)
    }
}
