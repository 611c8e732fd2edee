import Foundation
import Logging
import MeterCore
import PostgresNIO
import WhatsAppWebhook

/// Applies decoded events to the ledger tables inside one PostgreSQL transaction, safely alongside
/// other instances doing the same on the same database.
///
/// The merge is `LedgerBatch` and `LedgerMerger`, as for SQLite. What is particular here is that
/// another instance may be merging the same record at the same moment (Meta delivers to every
/// subscribed app and retries), so a record is read and written under its row lock:
/// 1. each record of the batch is first offered as new (`INSERT … ON CONFLICT DO NOTHING`); the ones
///    inserted are done, and a concurrent writer of the same key waits on the insert;
/// 2. the others exist: they are read `FOR UPDATE`, which waits for any writer of them and then
///    returns its committed result; they are joined and written back under the lock.
/// Keys are taken in sorted order everywhere (records, then counters) so two writers cannot wait
/// on each other in a cycle; if PostgreSQL still reports a deadlock, the transaction is retried.
/// Row locks live in the rows, not in the shared lock table, so a batch of any size is fine.
struct PostgresLedgerWriter {
    typealias Key = LedgerBatch.Key

    let connection: PostgresConnection
    let logger: Logger
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

    init(connection: PostgresConnection, logger: Logger, dayCaches: DayKeyCaches) {
        self.connection = connection
        self.logger = logger
        self.dayCaches = dayCaches
    }

    /// Appends the bodies to the raw archive. Static: it needs nothing of a writer's merge, and
    /// `PostgresLedgerStore.ingest` runs it beside one.
    static func archive(
        _ bodies: [PreparedBodies.Archived], on connection: PostgresConnection, logger: Logger
    ) async throws {
        let insert = PostgresColumnArrays.insert(
            "INSERT INTO raw_bodies (received_at, source, on_premises_account, body)", columns: 4, rows: bodies
        ) { body, row in
            row.append(body.receivedAt)
            row.append(body.source)
            row.append(body.onPremisesAccount)
            row.append(bytes: body.bytes)
        }
        if let insert { try await connection.query(insert, logger: logger) }
    }

    /// Applies a batch of bodies' events, joined per record beforehand (outside the transaction,
    /// which then holds its locks for less time).
    mutating func apply(_ batch: LedgerBatch) async throws {
        try await ensureAccounts(batch.accounts, keeping: batch.phoneNumbers.sorted())
        try await store(batch.tierUpdates)
        var counts = batch.outcome
        counts.createdAccounts = []
        self.counts.add(counts)

        let messages = try await merge(batch.messages, into: .messages)
        let recounted = LedgerMerger.conversationsToRecount(of: messages)
        _ = try await merge(LedgerMerger.conversations(of: messages, except: recounted), into: .conversations)
        try await recount(recounted)
        _ = try await merge(batch.inbound, into: .inbound)
        _ = try await merge(batch.calls, into: .calls)
        _ = try await merge(batch.echoes, into: .echoes)
    }

    /// Recounts conversations from their messages (already written), see
    /// `LedgerMerger.conversationsToRecount`. Rare, so one conversation at a time: its row is locked
    /// first, so that another instance joining a message into it waits and joins into the result.
    private mutating func recount(_ keys: Set<Key>) async throws {
        let conversations = PostgresRecordTable<ConversationRecord>.conversations
        let messages = PostgresRecordTable<MessageRecord>.messages
        for key in keys.sorted() {
            var stored: ConversationRecord?
            for try await row in try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT \(conversations.columnList) FROM conversations
                        WHERE account = $1 AND conversation_id = $2 FOR UPDATE
                        """, binds: try Self.bindings(key.account, key.id)), logger: logger)
            {
                stored = try conversations.decode(row.makeRandomAccess())
            }
            var members: [MessageRecord] = []
            for try await row in try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT \(messages.columnList) FROM messages
                        WHERE account = $1 AND conversation_id = $2 AND \(LedgerSQL.mayCountConversation)
                        """,
                    binds: try Self.bindings(key.account, key.id)), logger: logger)
            {
                members.append(try messages.decode(row.makeRandomAccess()))
            }
            let fresh = LedgerMerger.recount(key, messages: members)
            guard merger.replace(key, stored: stored, with: fresh) else { continue }
            if let fresh {
                // One record: never the empty batch for which `insert` has no statement.
                let upsert = conversations.insert(
                    [fresh],
                    tail: "ON CONFLICT (account, conversation_id) DO UPDATE SET \(conversations.updateFromExcluded)")!
                try await connection.query(upsert, logger: logger)
            } else {
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: "DELETE FROM conversations WHERE account = $1 AND conversation_id = $2",
                        binds: try Self.bindings(key.account, key.id)), logger: logger)
            }
        }
    }

    /// Inserts the deltas that are new, joins the others with their stored records under row locks
    /// and writes back those that changed. Returns the changed records.
    private mutating func merge<Record: LedgerRecord>(
        _ deltas: [Key: Record], into table: PostgresRecordTable<Record>
    ) async throws -> [LedgerMerger.Change<Record>] {
        let keys = deltas.keys.sorted()
        var inserted: Set<Key> = []
        // In key order, so that two writers take the rows' locks in one order.
        guard
            let offered = table.insert(
                keys.lazy.map { deltas[$0]! },
                tail: "ON CONFLICT (account, \(table.keyColumn)) DO NOTHING RETURNING account, \(table.keyColumn)")
        else { return [] }
        for try await (account, id) in try await connection.query(offered, logger: logger).decode(
            (String, String).self)
        {
            inserted.insert(Key(account: account, id: id))
        }
        let existing = keys.filter { !inserted.contains($0) }
        guard !existing.isEmpty else { return merger.merge(deltas) { _ in nil } }
        var stored: [Key: Record] = [:]
        stored.reserveCapacity(existing.count)
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(table.columnList) FROM \(table.name)
                    WHERE (account, \(table.keyColumn)) IN (SELECT * FROM unnest($1::text[], $2::text[]))
                    ORDER BY account, \(table.keyColumn) FOR UPDATE
                    """,
                binds: try Self.bindings(existing.map(\.account), existing.map(\.id))), logger: logger)
        for try await row in rows {
            // Columns 0 and 1 are the account and the key.
            let cells = row.makeRandomAccess()
            stored[Key(account: try cells[0].decode(String.self), id: try cells[1].decode(String.self))] =
                try table.decode(cells)
        }
        // One pass over the batch: the records inserted above have nothing stored to join.
        let changed = merger.merge(deltas) { inserted.contains($0) ? nil : stored[$0] }
        if let writeBack = table.insert(
            changed.filter { !inserted.contains($0.key) }.sorted { $0.key < $1.key }.lazy.map(\.record),
            tail: "ON CONFLICT (account, \(table.keyColumn)) DO UPDATE SET \(table.updateFromExcluded)")
        {
            try await connection.query(writeBack, logger: logger)
        }
        return changed
    }

    /// One statement for a batch's rows of a counter table: an array per column, unnested, its
    /// parameters numbered from `first`.
    private static func upsert(_ table: CounterTable, first: Int = 1) -> String {
        let keys = table.keyColumns.map { table.isText($0) ? "text" : "int8" }
        let types = keys + CounterTable.metrics.map { _ in "int8" }
        let arrays = types.enumerated().map { "$\($0.offset + first)::\($0.element)[]" }
        return table.upsert(rows: "SELECT * FROM unnest(\(arrays.joined(separator: ", ")))")
    }

    private static let dailyUpsert = upsert(.daily)
    private static let halfHourUpsert = upsert(.halfHourly)
    /// Both tables in one statement (one round trip): the day counters first, as when apart.
    private static let bothUpserts =
        "WITH daily AS (\(dailyUpsert))\n"
        + upsert(.halfHourly, first: CounterTable.daily.keyColumns.count + CounterTable.metrics.count + 1)

    /// Counter changes merged and not yet written (`flushRollups`).
    var pendingCounterChanges: Int { merger.pendingCounterChanges }

    /// Writes the accumulated counter changes, to the day and the half-hour counters, in key order.
    /// Call once, at the end of the transaction: its counter rows are then locked in one sorted run,
    /// so concurrent writers cannot deadlock on them. Only a transaction that holds the ledger lock
    /// exclusively (`rebuild`) may call it more often, to keep memory bounded.
    mutating func flushRollups() async throws {
        let (daily, halfHourly) = merger.takeRollups()
        let dayRows = CounterTable.rows(daily, sorted: true)
        let halfHourRows = CounterTable.rows(halfHourly, sorted: true)
        if !dayRows.isEmpty && !halfHourRows.isEmpty {
            var binds = PostgresBindings()
            Self.arrays(dayRows, of: .daily).append(to: &binds)
            Self.arrays(halfHourRows, of: .halfHourly).append(to: &binds)
            try await connection.query(PostgresQuery(unsafeSQL: Self.bothUpserts, binds: binds), logger: logger)
        } else if !dayRows.isEmpty || !halfHourRows.isEmpty {
            let (rows, table) = dayRows.isEmpty ? (halfHourRows, CounterTable.halfHourly) : (dayRows, .daily)
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: table.halfHourly ? Self.halfHourUpsert : Self.dailyUpsert,
                    binds: Self.arrays(rows, of: table).bindings),
                logger: logger)
        }
        try await prune(dayRows, of: .daily)
        try await prune(halfHourRows, of: .halfHourly)
    }

    /// A cell's key columns, in the upsert's order: their types (the Swift type of each value) are
    /// the ones `upsert` casts to.
    private static func appendKey(
        _ cell: CounterTable.Cell, of table: CounterTable, to row: inout PostgresColumnArrays
    ) {
        row.append(cell.account)
        row.append(Int64(cell.day))
        if table.halfHourly { row.append(cell.halfHour) }
        row.append(cell.phone)
        row.append(cell.category)
        row.append(cell.country)
    }

    /// Rows' keys and counts as arrays, in the upsert's order.
    private static func arrays(
        _ rows: [(cell: CounterTable.Cell, counts: [Int64], wentDown: Bool)], of table: CounterTable
    ) -> PostgresColumnArrays {
        var arrays = PostgresColumnArrays(columns: table.keyColumns.count + CounterTable.metrics.count)
        for row in rows {
            appendKey(row.cell, of: table, to: &arrays)
            for count in row.counts { arrays.append(count) }
        }
        return arrays
    }

    /// Removes rows that went back to zero, so the table holds exactly the non-zero cells. Only
    /// rows that went down can have reached zero.
    private func prune(
        _ rows: [(cell: CounterTable.Cell, counts: [Int64], wentDown: Bool)], of table: CounterTable
    ) async throws {
        let down = rows.filter(\.wentDown).map(\.cell)
        guard !down.isEmpty else { return }
        let types = table.keyColumns.map { table.isText($0) ? "text" : "int8" }
        let arrays = types.enumerated().map { "$\($0.offset + 1)::\($0.element)[]" }.joined(separator: ", ")
        try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    DELETE FROM \(table.name)
                    WHERE \(CounterTable.allZero) AND (\(table.keyColumns.joined(separator: ", "))) IN
                        (SELECT * FROM unnest(\(arrays)))
                    """,
                binds: {
                    var keys = PostgresColumnArrays(columns: table.keyColumns.count)
                    for cell in down { Self.appendKey(cell, of: table, to: &keys) }
                    return keys.bindings
                }()),
            logger: logger)
    }

    /// Adds the contributions of an account's stored records (when its time zone changes).
    mutating func addContributions(of account: String) async throws {
        try await ensureAccounts([account])
        try await countStored(account, in: PostgresRecordTable<MessageRecord>.messages)
        try await countStored(account, in: PostgresRecordTable<ConversationRecord>.conversations)
        try await countStored(account, in: PostgresRecordTable<InboundRecord>.inbound)
        try await countStored(account, in: PostgresRecordTable<EchoRecord>.echoes)
    }

    private mutating func countStored<Record: LedgerRecord>(
        _ account: String, in table: PostgresRecordTable<Record>
    ) async throws {
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: "SELECT \(table.columnList) FROM \(table.name) WHERE account = $1",
                binds: try Self.bindings(account)), logger: logger)
        for try await row in rows { merger.count(try table.decode(row.makeRandomAccess()), account: account) }
    }

    /// Keeps each distinct tier announcement once, at the earliest time it was announced (§13.16).
    ///
    /// One statement for the batch, each announcement once and in key order: two transactions that
    /// store the same announcements (two instances, or two batches of one ingest) then lock their
    /// rows in one order. One statement per announcement, in arrival order, deadlocked when two
    /// transactions held them in opposite orders (seen in a pipelined ingest of simulated traffic).
    private func store(_ updates: [TierUpdate]) async throws {
        var earliest: [TierUpdateKey: TierUpdate] = [:]
        for update in updates {
            let key = TierUpdateKey(update)
            if let held = earliest[key], held.updatedAt <= update.updatedAt { continue }
            earliest[key] = update
        }
        let rows = earliest.sorted { $0.key < $1.key }.map(\.value)
        guard
            let insert = PostgresColumnArrays.insert(
                "INSERT INTO tier_updates (account, effective_month, region, pricing_category, tier, tier_update_time)",
                columns: 6, rows: rows,
                tail: """
                    ON CONFLICT (account, effective_month, region, pricing_category, tier)
                    DO UPDATE SET tier_update_time = least(tier_updates.tier_update_time, excluded.tier_update_time)
                    """,
                bind: { update, row in
                    row.append(update.account)
                    row.append(update.effectiveMonth)
                    row.append(update.region)
                    row.append(update.pricingCategory)
                    row.append(update.tier)
                    row.append(update.updatedAt)
                })
        else { return }
        try await connection.query(insert, logger: logger)
    }

    /// Loads the accounts' day caches for the merge, creating (UTC, USD) those a webhook names
    /// first, and keeps each display number a phone number was seen with: one statement, so one
    /// round trip of the transaction's dozen (it was two, plus one per phone number).
    ///
    /// Another instance may create the same account or number at the same moment: the insert waits
    /// for it and then does nothing, and only the instance that inserted reports the account as
    /// created. Both lists are sorted, so two instances take their locks in one order and cannot
    /// wait on each other. The numbers' `DO NOTHING` locks no existing row: every delivery names
    /// its phone number, and an update would make every transaction of every instance wait on the
    /// same few rows.
    private mutating func ensureAccounts(
        _ accounts: [String], keeping numbers: [BusinessPhoneNumber] = []
    ) async throws {
        let missing = accounts.filter { merger.days[$0] == nil }.sorted()
        guard !missing.isEmpty || !numbers.isEmpty else { return }
        let placeholder = Account.placeholder(id: "")
        let rows = try await connection.query(
            """
            WITH numbers AS (
                INSERT INTO phone_numbers (account, phone_number_id, display_number)
                SELECT * FROM unnest(\(numbers.map(\.account))::text[], \(numbers.map(\.phoneNumberId))::text[], \
            \(numbers.map(\.displayNumber))::text[])
                ON CONFLICT DO NOTHING
            ), created AS (
                INSERT INTO accounts (id, timezone, currency, auto_created)
                SELECT id, \(placeholder.timezone), \(placeholder.currency), true FROM unnest(\(missing)::text[]) AS id
                ON CONFLICT (id) DO NOTHING RETURNING id, timezone
            )
            SELECT id, timezone, true FROM created
            UNION ALL
            SELECT id, timezone, false FROM accounts WHERE id = ANY(\(missing)) AND id NOT IN (SELECT id FROM created)
            """, logger: logger
        ).decode((String, String, Bool).self)
        var createdNow: Set<String> = []
        for try await (id, zone, created) in rows {
            merger.days[id] = dayCaches.cache(for: zone)
            if created { createdNow.insert(id) }
        }
        counts.createdAccounts += accounts.filter(createdNow.contains)
        // An account another instance created while the statement waited for it is in neither part
        // (the statement's snapshot is older than that commit): read it now.
        let unseen = missing.filter { merger.days[$0] == nil }
        guard !unseen.isEmpty else { return }
        for try await (id, zone) in try await connection.query(
            "SELECT id, timezone FROM accounts WHERE id = ANY(\(unseen))", logger: logger
        ).decode((String, String).self) {
            merger.days[id] = dayCaches.cache(for: zone)
        }
    }

    static func bindings<each Value: PostgresDynamicTypeEncodable>(
        _ values: repeat each Value
    ) throws -> PostgresBindings {
        var bindings = PostgresBindings()
        repeat bindings.append(each values)
        return bindings
    }
}

/// A tier announcement's identity in `tier_updates` (its primary key), ordered field by field.
private struct TierUpdateKey: Hashable, Comparable {
    var account: String
    var effectiveMonth: String
    var region: String
    var pricingCategory: String
    var tier: String

    init(_ update: TierUpdate) {
        (account, effectiveMonth, region, pricingCategory, tier) = (
            update.account, update.effectiveMonth, update.region, update.pricingCategory, update.tier
        )
    }

    static func < (a: Self, b: Self) -> Bool {
        if a.account != b.account { return a.account < b.account }
        if a.effectiveMonth != b.effectiveMonth { return a.effectiveMonth < b.effectiveMonth }
        if a.region != b.region { return a.region < b.region }
        if a.pricingCategory != b.pricingCategory { return a.pricingCategory < b.pricingCategory }
        return a.tier < b.tier
    }
}
