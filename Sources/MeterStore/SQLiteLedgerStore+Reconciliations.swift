import GRDB
import MeterCore

extension SQLiteLedgerStore {
    public func saveReconciliation(_ reconciliation: StoredReconciliation) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO reconciliations (account, month, checked_at, agrees, differences, body)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    reconciliation.account, reconciliation.month.description, reconciliation.checkedAt,
                    reconciliation.agrees, reconciliation.differences, reconciliation.body,
                ])
        }
    }

    public func reconciliations(
        accounts: [String]?, month: YearMonth?, limit: Int
    ) async throws -> [StoredReconciliation] {
        try await writer.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let accounts {
                guard !accounts.isEmpty else { return [] }
                conditions.append("account IN (\(Array(repeating: "?", count: accounts.count).joined(separator: ",")))")
                for account in accounts { _ = arguments.append(contentsOf: [account]) }
            }
            if let month {
                conditions.append("month = ?")
                _ = arguments.append(contentsOf: [month.description])
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            _ = arguments.append(contentsOf: [limit])
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT account, month, checked_at, agrees, differences, body FROM reconciliations \(filter)
                    ORDER BY checked_at DESC, account, month LIMIT ?
                    """, arguments: arguments
            ).compactMap { row in
                guard let month = YearMonth(row["month"] as String) else { return nil }
                return StoredReconciliation(
                    account: row["account"], month: month, checkedAt: row["checked_at"], agrees: row["agrees"],
                    differences: row["differences"], body: row["body"])
            }
        }
    }
}
