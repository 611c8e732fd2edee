import GRDB
import MeterCore
import Testing

@testable import MeterStore

/// The one translation of MeterCore's selections into SQL: what it binds, and that SQLite still finds
/// the partial indexes the report's reads were built around (a query must repeat an index's terms).
@Suite("Selections as SQL")
struct SelectionSQLTests {
    let month: Range<Int64> = 1_772_323_200..<1_775_001_600

    @Test("parameters are numbered for PostgreSQL and bound in order")
    func parameters() {
        let statement = SelectionSQL.messages(
            ReportSelections.undeliveredMessages(account: "A", sent: month), columns: nil, .postgres)
        #expect(
            statement.text
                == "SELECT count(*) FROM messages WHERE account = $1 AND delivered_at IS NULL AND failed_at IS NULL "
                + "AND sent_at >= $2 AND sent_at < $3 AND NOT is_group")
        #expect(statement.values == [SQLValue.text("A"), .integer(month.lowerBound), .integer(month.upperBound)])
    }

    @Test("category lists are literals in the core's order, quotes doubled; an empty list matches nothing")
    func categoryLiterals() {
        let tiered = SelectionSQL.messages(
            ReportSelections.tieredMessages(account: "A", delivered: month), columns: "wamid", .sqlite)
        // The migrations' index condition, to the byte.
        #expect(
            tiered.text.contains("pricing_category IN ('utility', 'authentication', 'authentication_international')"))
        var odd = RollupSelection(account: "A", days: 20_260_301...20_260_331, categories: ["it's"])
        #expect(CounterTable.select(odd, .sqlite).text.contains("category IN ('it''s')"))
        odd.categories = []
        #expect(CounterTable.select(odd, .postgres).text.hasSuffix("AND 1 = 0"))
    }

    @Test("the free tier is the first N by first delivery, limited in SQL; its count ignores the limit")
    func freeTier() throws {
        let selection = try #require(
            ReportSelections.freeTierConversations(account: "A", month: YearMonth(year: 2023, month: 8), range: month))
        let rows = SelectionSQL.conversations(selection, columns: "conversation_id", .sqlite).text
        #expect(rows.hasSuffix("ORDER BY first_delivered_at, conversation_id LIMIT 1000"))
        #expect(rows.contains("is_free_entry_point = 0"))
        #expect(rows.contains("category IN ('service')"))
        #expect(!SelectionSQL.conversations(selection, columns: nil, .sqlite).text.contains("LIMIT"))
        #expect(
            ReportSelections.freeTierConversations(account: "A", month: YearMonth(year: 2024, month: 11), range: month)
                == nil)
    }

    @Test("SQLite answers the report's message reads from their partial indexes")
    func sqliteUsesPartialIndexes() throws {
        let db = try DatabaseQueue()
        try SQLiteSchema.migrator.migrate(db)
        let reads: [(SQLStatement, String)] = [
            (
                SelectionSQL.messages(
                    ReportSelections.undeliveredMessages(account: "A", sent: month), columns: nil, .sqlite),
                "messages_undelivered"
            ),
            (
                SelectionSQL.messages(
                    ReportSelections.tieredMessages(account: "A", delivered: month),
                    columns: SQLiteRecords.messageColumns, .sqlite),
                "messages_tiered"
            ),
            (
                SelectionSQL.messages(
                    ReportSelections.webhookPricedMessages(account: "A", delivered: month),
                    columns: SQLiteRecords.messageColumns, .sqlite),
                "messages_webhook_priced"
            ),
            (
                SelectionSQL.conversations(
                    ReportSelections.undeliveredConversations(account: "A", sent: month), columns: nil, .sqlite),
                "conversations_undelivered"
            ),
        ]
        for (statement, index) in reads {
            let plan = try db.read { db in
                try Row.fetchAll(
                    db, sql: "EXPLAIN QUERY PLAN " + statement.text,
                    arguments: StatementArguments(
                        statement.values.map { value -> any DatabaseValueConvertible in
                            switch value {
                            case .integer(let integer): integer
                            case .text(let text): text
                            }
                        })
                ).map { $0["detail"] as String }.joined(separator: "; ")
            }
            #expect(plan.contains(index), "\(statement.text) → \(plan)")
        }
    }
}
