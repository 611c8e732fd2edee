import Foundation
import GRDB
import MeterCore
import WhatsAppWebhook

/// Applies decoded events to the ledger tables inside one SQLite write transaction.
///
/// The merge itself is `LedgerBatch` and `LedgerMerger`, shared with PostgreSQL; this type only
/// loads the stored records for the keys a batch touches, writes back what changed, and writes the
/// counter changes.
struct SQLiteLedgerWriter {
    typealias Key = LedgerBatch.Key

    let db: Database
    private let dayCaches: DayKeyCaches
    private var merger = LedgerMerger()
    /// What the writer did so far: the batches' event counts, the accounts it created, and how many
    /// ledger records changed.
    var outcome: IngestOutcome {
        var outcome = counts
        outcome.changedRecords = merger.changedRecords
        return outcome
    }
    private var counts = IngestOutcome()

    init(db: Database, dayCaches: DayKeyCaches) {
        self.db = db
        self.dayCaches = dayCaches
    }

    /// Applies a batch of bodies' events, joined per record beforehand.
    mutating func apply(_ batch: LedgerBatch) throws {
        for account in batch.accounts { try ensureAccount(account) }
        for update in batch.tierUpdates { try store(update) }
        for number in batch.phoneNumbers.sorted() { try store(number) }
        var counts = batch.outcome
        counts.createdAccounts = []
        self.counts.add(counts)

        let messages = try merge(
            batch.messages, table: "messages", columns: SQLiteRecords.messageColumns,
            decode: SQLiteRecords.message(from:offset:),
            bind: SQLiteRecords.bind, insert: Self.insertMessage, update: Self.updateMessage)
        let recounted = LedgerMerger.conversationsToRecount(of: messages)
        _ = try merge(
            LedgerMerger.conversations(of: messages, except: recounted), table: "conversations",
            columns: SQLiteRecords.conversationColumns, decode: SQLiteRecords.conversation(from:offset:),
            bind: SQLiteRecords.bind,
            insert: Self.insertConversation, update: Self.updateConversation)
        try recount(recounted)
        _ = try merge(
            batch.inbound, table: "inbound_messages", columns: SQLiteRecords.inboundColumns,
            decode: SQLiteRecords.inbound(from:offset:),
            bind: SQLiteRecords.bind, insert: Self.insertInbound, update: Self.updateInbound)
        _ = try merge(
            batch.calls, table: "calls", columns: SQLiteRecords.callColumns, decode: SQLiteRecords.call(from:offset:),
            bind: SQLiteRecords.bind, insert: Self.insertCall, update: Self.updateCall)
        _ = try merge(
            batch.echoes, table: "echo_messages", columns: SQLiteRecords.echoColumns,
            decode: SQLiteRecords.echo(from:offset:), bind: SQLiteRecords.bind, insert: Self.insertEcho,
            update: Self.updateEcho)
    }

    /// Joins each delta with its stored record and writes back the records that changed, in place
    /// by rowid. Returns the changed records.
    private mutating func merge<Record: LedgerRecord>(
        _ deltas: [Key: Record], table: String, columns: String, decode: (Row, Int) -> Record,
        bind: (Record, inout SQLiteBindings) -> Void, insert: String, update: String
    ) throws -> [LedgerMerger.Change<Record>] {
        let stored = try loadAll(deltas.keys, table: table, columns: columns, decode: decode)
        let changed = merger.merge(deltas) { stored[$0]?.record }
        for change in changed {
            try write({ bind(change.record, &$0) }, id: stored[change.key]?.id, insert: insert, update: update)
        }
        return changed
    }

    /// Recounts conversations from their messages (already written), see
    /// `LedgerMerger.conversationsToRecount`. Rare: only when a message leaves a conversation or
    /// gives it less, so one query per conversation is fine.
    private mutating func recount(_ keys: Set<Key>) throws {
        guard !keys.isEmpty else { return }
        let stored = try loadAll(
            keys, table: "conversations", columns: SQLiteRecords.conversationColumns,
            decode: SQLiteRecords.conversation(from:offset:))
        for key in keys.sorted() {
            let members = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(SQLiteRecords.messageColumns) FROM messages
                    WHERE account = ? AND conversation_id = ? AND \(LedgerSQL.mayCountConversation)
                    """,
                arguments: [key.account, key.id]
            ).map { SQLiteRecords.message(from: $0) }
            let fresh = LedgerMerger.recount(key, messages: members)
            guard merger.replace(key, stored: stored[key]?.record, with: fresh) else { continue }
            if let fresh {
                try write(
                    { SQLiteRecords.bind(fresh, &$0) }, id: stored[key]?.id, insert: Self.insertConversation,
                    update: Self.updateConversation)
            } else if let id = stored[key]?.id {
                try db.execute(sql: "DELETE FROM conversations WHERE id = ?", arguments: [id])
            }
        }
    }

    /// Counter changes merged and not yet written (`flushRollups`).
    var pendingCounterChanges: Int { merger.pendingCounterChanges }

    /// Writes the accumulated counter changes, to the day and the half-hour counters: at the end of
    /// the transaction, and during a long one (`rebuild`) to keep memory bounded.
    mutating func flushRollups() throws {
        let (daily, halfHourly) = merger.takeRollups()
        try write(CounterTable.rows(daily, sorted: false), to: .daily)
        try write(CounterTable.rows(halfHourly, sorted: false), to: .halfHourly)
    }

    private func write(
        _ rows: [(cell: CounterTable.Cell, counts: [Int64], wentDown: Bool)], to table: CounterTable
    )
        throws
    {
        guard !rows.isEmpty else { return }
        let markers = Array(repeating: "?", count: table.keyColumns.count + CounterTable.metrics.count)
        let upsert = try db.cachedStatement(
            sql: table.upsert(rows: "VALUES (" + markers.joined(separator: ", ") + ")"))
        // A row that went back to zero (a delivery moved to an earlier day) is removed, so the table
        // holds exactly the non-zero cells. Only rows that went down can have reached zero.
        let prune = try db.cachedStatement(
            sql: "DELETE FROM \(table.name) WHERE "
                + table.keyColumns.map { "\($0) = ?" }.joined(separator: " AND ") + " AND \(CounterTable.allZero)")
        func bindKey(_ bindings: inout SQLiteBindings, _ cell: CounterTable.Cell) {
            bindings.bind(cell.account)
            bindings.bind(Int64(cell.day))
            if table.halfHourly { bindings.bind(cell.halfHour) }
            bindings.bind(cell.phone)
            bindings.bind(cell.category)
            bindings.bind(cell.country)
        }
        for (cell, counts, wentDown) in rows {
            try upsert.executeBound(in: db) {
                bindKey(&$0, cell)
                for count in counts { $0.bind(count) }
            }
            if wentDown { try prune.executeBound(in: db) { bindKey(&$0, cell) } }
        }
    }

    /// Adds the contributions of records already stored (used when an account's time zone changes).
    mutating func addContributions(of account: String) throws {
        try ensureAccount(account)
        let messages = try Row.fetchCursor(
            db, sql: "SELECT \(SQLiteRecords.messageColumns) FROM messages WHERE account = ?", arguments: [account])
        while let row = try messages.next() { merger.count(SQLiteRecords.message(from: row), account: account) }
        let conversations = try Row.fetchCursor(
            db, sql: "SELECT \(SQLiteRecords.conversationColumns) FROM conversations WHERE account = ?",
            arguments: [account])
        while let row = try conversations.next() {
            merger.count(SQLiteRecords.conversation(from: row), account: account)
        }
        let inbound = try Row.fetchCursor(
            db, sql: "SELECT \(SQLiteRecords.inboundColumns) FROM inbound_messages WHERE account = ?",
            arguments: [account])
        while let row = try inbound.next() { merger.count(SQLiteRecords.inbound(from: row), account: account) }
        let echoes = try Row.fetchCursor(
            db, sql: "SELECT \(SQLiteRecords.echoColumns) FROM echo_messages WHERE account = ?", arguments: [account])
        while let row = try echoes.next() { merger.count(SQLiteRecords.echo(from: row), account: account) }
    }

    /// Keeps each distinct tier announcement once, at the earliest time it was announced: Meta may
    /// send the same update to several apps and retry it (reference §13.16).
    private func store(_ update: TierUpdate) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO tier_updates (account, effective_month, region, pricing_category, tier, tier_update_time)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (account, effective_month, region, pricing_category, tier)
                DO UPDATE SET tier_update_time = min(tier_update_time, excluded.tier_update_time)
                """
        ).execute(arguments: [
            update.account, update.effectiveMonth, update.region, update.pricingCategory, update.tier,
            update.updatedAt,
        ])
    }

    /// Keeps each display number a phone number was seen with, once.
    private func store(_ number: BusinessPhoneNumber) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO phone_numbers (account, phone_number_id, display_number) VALUES (?, ?, ?)
                ON CONFLICT DO NOTHING
                """
        ).execute(arguments: [number.account, number.phoneNumberId, number.displayNumber])
    }

    // MARK: - Loading

    private static let lookupChunk = 500
    private static let chunkPlaceholders = placeholders(lookupChunk)

    private static func lookupSQL(table: String, columns: String) -> String {
        let keyColumn = columns.split(separator: ",")[1].trimmingCharacters(in: .whitespacesAndNewlines)
        return "SELECT id, \(columns) FROM \(table) WHERE account = ? AND \(keyColumn) IN (\(chunkPlaceholders))"
    }

    /// The stored records for a batch's keys, with their rowids, in a few `IN (…)` queries instead
    /// of one query per key. Every table's columns start with `account` and its key, so the key is
    /// column 2 after the rowid. Chunks are padded to a fixed size (repeating a key) so that one
    /// cached statement serves every chunk.
    private func loadAll<Record>(
        _ keys: some Collection<Key>, table: String, columns: String, decode: (Row, Int) -> Record
    ) throws -> [Key: (id: Int64, record: Record)] {
        var found: [Key: (id: Int64, record: Record)] = [:]
        guard !keys.isEmpty else { return found }
        found.reserveCapacity(keys.count)
        let chunk = Self.lookupChunk
        let statement = try db.cachedStatement(sql: Self.lookupSQL(table: table, columns: columns))
        for (account, accountKeys) in Dictionary(grouping: keys, by: \.account) {
            var start = 0
            while start < accountKeys.count {
                let slice = accountKeys[start..<min(start + chunk, accountKeys.count)]
                var values: [any DatabaseValueConvertible] = [account]
                values.reserveCapacity(chunk + 1)
                for key in slice { values.append(key.id) }
                while values.count < chunk + 1 { values.append(slice.first!.id) }
                let rows = try Row.fetchCursor(statement, arguments: StatementArguments(values))
                while let row = try rows.next() {
                    found[Key(account: account, id: row[2])] = (row[0], decode(row, 1))
                }
                start += chunk
            }
        }
        return found
    }

    // MARK: - Accounts

    /// Loads the account's day cache for the merge, creating the account (UTC, USD) when a webhook
    /// names it first. Accounts are looked up once per transaction.
    private mutating func ensureAccount(_ account: String) throws {
        if merger.days[account] != nil { return }
        let zone = try String.fetchOne(db, sql: "SELECT timezone FROM accounts WHERE id = ?", arguments: [account])
        let placeholder = Account.placeholder(id: account)
        if zone == nil {
            try db.execute(
                sql: "INSERT INTO accounts (id, timezone, currency, auto_created) VALUES (?, ?, ?, 1)",
                arguments: [placeholder.id, placeholder.timezone, placeholder.currency])
            counts.createdAccounts.append(account)
        }
        merger.days[account] = dayCaches.cache(for: zone ?? placeholder.timezone)
    }

    // MARK: - Writing

    /// Inserts a new row, or updates the stored one in place by rowid (a REPLACE would move it to a
    /// new rowid and dirty more pages).
    private func write(
        _ bind: (inout SQLiteBindings) -> Void, id: Int64?, insert: String, update: String
    ) throws {
        if let id {
            try db.cachedStatement(sql: update).executeBound(in: db) {
                bind(&$0)
                $0.bind(id)
            }
        } else {
            try db.cachedStatement(sql: insert).executeBound(in: db, bind)
        }
    }

    private static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    // Statement texts, built once (they are also the keys of GRDB's statement cache).
    private static let insertMessage =
        "INSERT INTO messages (\(SQLiteRecords.messageColumns)) VALUES (\(placeholders(27)))"
    private static let updateMessage =
        "UPDATE messages SET (\(SQLiteRecords.messageColumns)) = (\(placeholders(27))) WHERE id = ?"
    private static let insertConversation =
        "INSERT INTO conversations (\(SQLiteRecords.conversationColumns)) VALUES (\(placeholders(10)))"
    private static let updateConversation =
        "UPDATE conversations SET (\(SQLiteRecords.conversationColumns)) = (\(placeholders(10))) WHERE id = ?"
    private static let insertInbound =
        "INSERT INTO inbound_messages (\(SQLiteRecords.inboundColumns)) VALUES (\(placeholders(8)))"
    private static let updateInbound =
        "UPDATE inbound_messages SET (\(SQLiteRecords.inboundColumns)) = (\(placeholders(8))) WHERE id = ?"
    private static let insertEcho =
        "INSERT INTO echo_messages (\(SQLiteRecords.echoColumns)) VALUES (\(placeholders(8)))"
    private static let updateEcho =
        "UPDATE echo_messages SET (\(SQLiteRecords.echoColumns)) = (\(placeholders(8))) WHERE id = ?"
    private static let insertCall = "INSERT INTO calls (\(SQLiteRecords.callColumns)) VALUES (\(placeholders(15)))"
    private static let updateCall =
        "UPDATE calls SET (\(SQLiteRecords.callColumns)) = (\(placeholders(15))) WHERE id = ?"
}
