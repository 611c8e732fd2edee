import Logging
import MeterCore
import PostgresNIO

/// The read primitives on PostgreSQL, all on one connection inside one repeatable-read, read-only
/// transaction.
struct PostgresSnapshot: LedgerSnapshot {
    let connection: PostgresConnection
    let logger: Logger

    func accounts(inPortfolio portfolio: String) async throws -> [Account] {
        try await PostgresLedgerStore.accounts(
            connection, logger,
            """
            SELECT \(unescaped: PostgresLedgerStore.accountColumns) FROM accounts
            WHERE portfolio = \(portfolio) ORDER BY id
            """)
    }

    func rollups(_ selection: RollupSelection) async throws -> [RollupRow] {
        var rows: [RollupRow] = []
        let query = Self.query(CounterTable.select(selection, .postgres))
        let selected = CounterTable.selectedMetrics(selection)
        for try await row in try await connection.query(query, logger: logger) {
            let cells = row.makeRandomAccess()
            let counts = try selected.indices.map { try cells[5 + $0].decode(Int.self) }
            CounterTable.rollupRows(
                day: DayKey(try cells[0].decode(Int64.self)), halfHour: try cells[1].decode(Int64.self),
                phone: try cells[2].decode(String.self), category: try cells[3].decode(String.self),
                country: try cells[4].decode(String.self), counts: counts, selected: selected, into: &rows)
        }
        return rows
    }

    func hasRollups(_ selection: RollupSelection) async throws -> Bool {
        try await count(CounterTable.probe(selection, .postgres)) > 0
    }

    func conversations(_ selection: ConversationSelection) async throws -> [ConversationRecord] {
        let table = PostgresRecordTable<ConversationRecord>.conversations
        return try await records(SelectionSQL.conversations(selection, columns: table.columnList, .postgres)) {
            try table.decode($0)
        }
    }

    func count(_ selection: ConversationSelection) async throws -> Int {
        try await count(SelectionSQL.conversations(selection, columns: nil, .postgres))
    }

    // Called through `any LedgerSnapshot`, so never specialised at the call site: these entry
    // points are, for the plan's two projections, which keeps a portfolio month's 100,000s of
    // results out of value-witness copies (measured: 5–8% of a tiered report).
    @_specialize(where T == TierUnit)
    @_specialize(where T == WebhookPricedMessage)
    func messages<T: Sendable>(
        _ selection: MessageSelection, _ transform: @escaping @Sendable (MessageRecord) -> T?
    ) async throws -> [T] {
        let table = PostgresRecordTable<MessageRecord>.messages
        return try await records(SelectionSQL.messages(selection, columns: table.columnList, .postgres)) {
            transform(try table.decode($0))
        }
    }

    func count(_ selection: MessageSelection) async throws -> Int {
        try await count(SelectionSQL.messages(selection, columns: nil, .postgres))
    }

    func tierUpdates(accounts: [String], effectiveMonth: YearMonth) async throws -> [TierUpdate] {
        var updates: [TierUpdate] = []
        for try await (account, month, region, category, tier, at) in try await connection.query(
            """
            SELECT account, effective_month, region, pricing_category, tier, tier_update_time FROM tier_updates
            WHERE effective_month = \(effectiveMonth.description) AND account = ANY(\(accounts))
            """, logger: logger
        ).decode((String, String, String, String, String, Int64).self) {
            updates.append(
                TierUpdate(
                    account: account, effectiveMonth: month, region: region, pricingCategory: category, tier: tier,
                    updatedAt: at))
        }
        return updates
    }

    func calls(account: String, placedIn range: Range<Int64>) async throws -> [CallRecord] {
        let table = PostgresRecordTable<CallRecord>.calls
        var calls: [CallRecord] = []
        for try await row in try await connection.query(
            """
            SELECT \(unescaped: table.columnList) FROM calls
            WHERE account = \(account) AND placed_at >= \(range.lowerBound) AND placed_at < \(range.upperBound)
            ORDER BY placed_at, call_id
            """, logger: logger)
        {
            calls.append(try table.decode(row.makeRandomAccess()))
        }
        return calls
    }

    func phoneNumbers(accounts: [String]) async throws -> [BusinessPhoneNumber] {
        var numbers: [BusinessPhoneNumber] = []
        for try await (account, id, display) in try await connection.query(
            """
            SELECT account, phone_number_id, display_number FROM phone_numbers
            WHERE account = ANY(\(accounts))
            """, logger: logger
        ).decode((String, String, String).self) {
            numbers.append(
                BusinessPhoneNumber(account: account, phoneNumberId: id, displayNumber: display))
        }
        return numbers
    }

    func importedRates(currency: String) async throws -> ImportedRates {
        let entries = try await PostgresLedgerStore.rateEntries(
            connection, logger,
            "SELECT \(unescaped: PostgresLedgerStore.rateColumns) FROM rates WHERE currency = \(currency)")
        let tiers = try await PostgresLedgerStore.tierEntries(
            connection, logger,
            "SELECT \(unescaped: PostgresLedgerStore.tierColumns) FROM rate_tiers WHERE currency = \(currency)")
        let cards = try await PostgresLedgerStore.rateCards(
            connection, logger,
            "SELECT \(unescaped: PostgresLedgerStore.rateCardColumns) FROM rate_cards WHERE currency = \(currency)")
        return ImportedRates(currency: currency, entries: entries, tiers: tiers, cards: cards)
    }

    /// The rows of a statement, each decoded as it arrives; `nil` results are left out.
    private func records<T>(
        _ statement: SQLStatement, _ decode: (PostgresRandomAccessRow) throws -> T?
    ) async throws -> [T] {
        var results: [T] = []
        for try await row in try await connection.query(Self.query(statement), logger: logger) {
            if let result = try decode(row.makeRandomAccess()) { results.append(result) }
        }
        return results
    }

    private func count(_ statement: SQLStatement) async throws -> Int {
        var total = 0
        for try await n in try await connection.query(Self.query(statement), logger: logger).decode(Int.self) {
            total = n
        }
        return total
    }

    private static func query(_ statement: SQLStatement) -> PostgresQuery {
        var query = PostgresQuery(unsafeSQL: statement.text)
        for value in statement.values {
            switch value {
            case .integer(let integer): query.binds.append(integer)
            case .text(let text): query.binds.append(text)
            }
        }
        return query
    }
}
