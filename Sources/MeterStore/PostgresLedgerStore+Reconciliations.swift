import Logging
import MeterCore
import PostgresNIO

extension PostgresLedgerStore {
    public func saveReconciliation(_ reconciliation: StoredReconciliation) async throws {
        let logger = logger
        try await transactions.run { connection in
            _ = try await connection.query(
                """
                INSERT INTO reconciliations (account, month, checked_at, agrees, differences, body)
                VALUES (\(reconciliation.account), \(reconciliation.month.description), \(reconciliation.checkedAt),
                    \(reconciliation.agrees), \(Int64(reconciliation.differences)), \(reconciliation.body))
                ON CONFLICT (account, month, checked_at) DO UPDATE
                SET agrees = EXCLUDED.agrees, differences = EXCLUDED.differences, body = EXCLUDED.body
                """, logger: logger)
        }
    }

    public func reconciliations(
        accounts: [String]?, month: YearMonth?, limit: Int
    ) async throws -> [StoredReconciliation] {
        if let accounts, accounts.isEmpty { return [] }
        let logger = logger
        return try await transactions.run(.repeatableReadOnly) { connection in
            // NULL filters mean "all": one statement, bound values only.
            let rows = try await connection.query(
                """
                SELECT account, month, checked_at, agrees, differences, body FROM reconciliations
                WHERE (\(accounts == nil) OR account = ANY(\(accounts ?? [])))
                  AND (\(month == nil) OR month = \(month?.description ?? ""))
                ORDER BY checked_at DESC, account, month LIMIT \(Int64(limit))
                """, logger: logger)
            var found: [StoredReconciliation] = []
            for try await (account, month, checkedAt, agrees, differences, body) in rows.decode(
                (String, String, Int64, Bool, Int64, String).self)
            {
                guard let month = YearMonth(month) else { continue }
                found.append(
                    StoredReconciliation(
                        account: account, month: month, checkedAt: checkedAt, agrees: agrees,
                        differences: Int(differences), body: body))
            }
            return found
        }
    }
}
