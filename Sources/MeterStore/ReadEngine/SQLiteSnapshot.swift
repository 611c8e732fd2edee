import GRDB
import MeterCore

/// The read primitives on SQLite, all inside one read transaction.
struct SQLiteSnapshot: LedgerSnapshot {
    let transaction: SQLiteReadTransaction

    func accounts(inPortfolio portfolio: String) async throws -> [Account] {
        try await transaction.read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(SQLiteRecords.accountColumns) FROM accounts WHERE portfolio = ? ORDER BY id",
                arguments: [portfolio]
            ).map { SQLiteRecords.account(from: $0) }
        }
    }

    func rollups(_ selection: RollupSelection) async throws -> [RollupRow] {
        let statement = CounterTable.select(selection, .sqlite)
        return try await transaction.read { db in
            // A cursor decodes each row in place; `fetchAll` would copy every row first.
            var rows: [RollupRow] = []
            let cursor = try Row.fetchCursor(db, sql: statement.text, arguments: Self.arguments(statement))
            let selected = CounterTable.selectedMetrics(selection)
            var counts = [Int](repeating: 0, count: selected.count)
            while let row = try cursor.next() {
                for index in counts.indices { counts[index] = row[5 + index] }
                CounterTable.rollupRows(
                    day: row[0], halfHour: row[1], phone: row[2], category: row[3], country: row[4], counts: counts,
                    selected: selected, into: &rows)
            }
            return rows
        }
    }

    func hasRollups(_ selection: RollupSelection) async throws -> Bool {
        try await count(CounterTable.probe(selection, .sqlite)) > 0
    }

    func conversations(_ selection: ConversationSelection) async throws -> [ConversationRecord] {
        let statement = SelectionSQL.conversations(selection, columns: SQLiteRecords.conversationColumns, .sqlite)
        return try await transaction.read { db in
            var conversations: [ConversationRecord] = []
            let cursor = try Row.fetchCursor(db, sql: statement.text, arguments: Self.arguments(statement))
            while let row = try cursor.next() { conversations.append(SQLiteRecords.conversation(from: row)) }
            return conversations
        }
    }

    func count(_ selection: ConversationSelection) async throws -> Int {
        try await count(SelectionSQL.conversations(selection, columns: nil, .sqlite))
    }

    // Called through `any LedgerSnapshot`, so never specialised at the call site: these entry
    // points are, for the plan's two projections, which keeps a portfolio month's 100,000s of
    // results out of value-witness copies (measured: 5–8% of a tiered report).
    @_specialize(where T == TierUnit)
    @_specialize(where T == WebhookPricedMessage)
    func messages<T: Sendable>(
        _ selection: MessageSelection, _ transform: @escaping @Sendable (MessageRecord) -> T?
    ) async throws -> [T] {
        let statement = SelectionSQL.messages(selection, columns: SQLiteRecords.messageColumns, .sqlite)
        return try await transaction.read { db in
            var results: [T] = []
            let rows = try Row.fetchCursor(db, sql: statement.text, arguments: Self.arguments(statement))
            while let row = try rows.next() {
                if let result = transform(SQLiteRecords.message(from: row)) { results.append(result) }
            }
            return results
        }
    }

    func count(_ selection: MessageSelection) async throws -> Int {
        try await count(SelectionSQL.messages(selection, columns: nil, .sqlite))
    }

    func phoneNumbers(accounts: [String]) async throws -> [BusinessPhoneNumber] {
        guard !accounts.isEmpty else { return [] }
        let placeholders = accounts.map { _ in "?" }.joined(separator: ", ")
        return try await transaction.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT account, phone_number_id, display_number FROM phone_numbers
                    WHERE account IN (\(placeholders))
                    """, arguments: StatementArguments(accounts)
            ).map {
                BusinessPhoneNumber(account: $0[0], phoneNumberId: $0[1], displayNumber: $0[2])
            }
        }
    }

    func tierUpdates(accounts: [String], effectiveMonth: YearMonth) async throws -> [TierUpdate] {
        guard !accounts.isEmpty else { return [] }
        let placeholders = accounts.map { _ in "?" }.joined(separator: ", ")
        return try await transaction.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(SQLiteRecords.tierUpdateColumns) FROM tier_updates
                    WHERE effective_month = ? AND account IN (\(placeholders))
                    """,
                arguments: StatementArguments([effectiveMonth.description] + accounts)
            ).map { SQLiteRecords.tierUpdate(from: $0) }
        }
    }

    func calls(account: String, placedIn range: Range<Int64>) async throws -> [CallRecord] {
        try await transaction.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(SQLiteRecords.callColumns) FROM calls
                    WHERE account = ? AND placed_at >= ? AND placed_at < ? ORDER BY placed_at, call_id
                    """,
                arguments: [account, range.lowerBound, range.upperBound]
            ).map { SQLiteRecords.call(from: $0) }
        }
    }

    func importedRates(currency: String) async throws -> ImportedRates {
        try await transaction.read { db in
            let entries = try Row.fetchAll(
                db, sql: "SELECT \(SQLiteRecords.rateColumns) FROM rates WHERE currency = ?", arguments: [currency]
            ).map { SQLiteRecords.rateEntry(from: $0) }
            let tiers = try Row.fetchAll(
                db, sql: "SELECT \(SQLiteRecords.tierColumns) FROM rate_tiers WHERE currency = ?", arguments: [currency]
            ).map { SQLiteRecords.tierEntry(from: $0) }
            let cards = try Row.fetchAll(
                db, sql: "SELECT \(SQLiteRecords.rateCardColumns) FROM rate_cards WHERE currency = ?",
                arguments: [currency]
            ).map { SQLiteRecords.rateCard(from: $0) }
            return ImportedRates(currency: currency, entries: entries, tiers: tiers, cards: cards)
        }
    }

    private func count(_ statement: SQLStatement) async throws -> Int {
        try await transaction.read { db in
            try Int.fetchOne(db, sql: statement.text, arguments: Self.arguments(statement)) ?? 0
        }
    }

    private static func arguments(_ statement: SQLStatement) -> StatementArguments {
        StatementArguments(
            statement.values.map { value -> any DatabaseValueConvertible in
                switch value {
                case .integer(let integer): integer
                case .text(let text): text
                }
            })
    }
}
