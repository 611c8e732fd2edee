import Foundation
import MeterCore

/// A value bound to a statement parameter.
enum SQLValue: Sendable, Equatable {
    case integer(Int64)
    case text(String)
}

/// Where the two SQL backends spell a condition differently.
struct SQLDialect: Sendable {
    /// The n-th parameter marker (1-based).
    var parameter: @Sendable (Int) -> String
    /// "This boolean column is false", spelled as that backend's partial-index conditions spell it:
    /// SQLite uses a partial index only when the query repeats the index's terms.
    var isFalse: @Sendable (String) -> String

    static let sqlite = SQLDialect(parameter: { _ in "?" }, isFalse: { "\($0) = 0" })
    static let postgres = SQLDialect(parameter: { "$\($0)" }, isFalse: { "NOT \($0)" })
}

/// A statement's text and parameters, built from a selection. The one translation of
/// `MeterCore`'s selections into SQL, for both backends.
struct SQLStatement: Sendable, Equatable {
    var text: String
    var values: [SQLValue]
}

enum SelectionSQL {
    /// `SELECT columns FROM messages …`, or `SELECT count(*)` when `columns` is `nil`.
    static func messages(_ selection: MessageSelection, columns: String?, _ dialect: SQLDialect) -> SQLStatement {
        var filter = Filter(dialect)
        filter.equal("account", .text(selection.account))
        if selection.awaitingDelivery {
            filter.condition("delivered_at IS NULL")
            filter.condition("failed_at IS NULL")
        }
        if let range = selection.sent { filter.range("sent_at", range) }
        if let range = selection.delivered { filter.range("delivered_at", range) }
        if !selection.includesGroupMessages { filter.condition(dialect.isFalse("is_group")) }
        if let categories = selection.pricingCategories { filter.oneOf("pricing_category", categories) }
        if selection.webhookPricedOnly { filter.condition("cost_amount IS NOT NULL") }
        return filter.statement("SELECT \(columns ?? "count(*)") FROM messages")
    }

    /// `SELECT columns FROM conversations …` in first-delivery order with the selection's limit, or
    /// `SELECT count(*)` of every match when `columns` is `nil`.
    static func conversations(
        _ selection: ConversationSelection, columns: String?, _ dialect: SQLDialect
    ) -> SQLStatement {
        var filter = Filter(dialect)
        filter.equal("account", .text(selection.account))
        if selection.undeliveredOnly { filter.condition("first_delivered_at IS NULL") }
        if let range = selection.firstSent { filter.range("first_sent_at", range) }
        if let range = selection.firstDelivered { filter.range("first_delivered_at", range) }
        if selection.excludesFreeEntryPoints { filter.condition(dialect.isFalse("is_free_entry_point")) }
        if let categories = selection.categories { filter.oneOf("category", categories) }
        guard let columns else { return filter.statement("SELECT count(*) FROM conversations") }
        var statement = filter.statement("SELECT \(columns) FROM conversations")
        statement.text += " ORDER BY first_delivered_at, conversation_id"
        if let limit = selection.limit { statement.text += " LIMIT \(max(0, limit))" }
        return statement
    }

    /// Conditions joined by AND, with their parameters in order.
    struct Filter {
        let dialect: SQLDialect
        var conditions: [String] = []
        var values: [SQLValue] = []

        init(_ dialect: SQLDialect) {
            self.dialect = dialect
        }

        mutating func condition(_ text: String) {
            conditions.append(text)
        }

        private mutating func bind(_ value: SQLValue) -> String {
            values.append(value)
            return dialect.parameter(values.count)
        }

        mutating func equal(_ column: String, _ value: SQLValue) {
            conditions.append("\(column) = \(bind(value))")
        }

        mutating func range(_ column: String, _ range: Range<Int64>) {
            conditions.append("\(column) >= \(bind(.integer(range.lowerBound)))")
            conditions.append("\(column) < \(bind(.integer(range.upperBound)))")
        }

        mutating func between(_ column: String, _ first: Int64, _ last: Int64) {
            conditions.append("\(column) BETWEEN \(bind(.integer(first))) AND \(bind(.integer(last)))")
        }

        /// Written as literals, in the given order, not as parameters: a partial index whose
        /// condition is `column IN ('a', 'b')` serves only a query that spells the same list.
        mutating func oneOf(_ column: String, _ values: [String]) {
            guard !values.isEmpty else { return conditions.append("1 = 0") }
            let literals = values.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }
            conditions.append("\(column) IN (\(literals.joined(separator: ", ")))")
        }

        func statement(_ head: String) -> SQLStatement {
            SQLStatement(text: head + " WHERE " + conditions.joined(separator: " AND "), values: values)
        }
    }
}
