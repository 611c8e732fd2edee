import Foundation
import GRDB
import MeterCore

extension SQLiteLedgerStore {
    public func setBudget(_ budget: Budget) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO budgets
                        (scope_kind, scope_value, monthly, currency, alert_at, notify, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    budget.scope.kind, budget.scope.value, budget.monthly.description, budget.currency,
                    AlertColumns.alertAt(budget.alertAt), AlertColumns.targets(budget.notify), budget.createdAt,
                ])
        }
    }

    public func budgets() async throws -> [Budget] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT scope_kind, scope_value, monthly, currency, alert_at, notify, created_at FROM budgets
                    ORDER BY scope_kind, scope_value
                    """
            ).compactMap { row in
                AlertColumns.budget(
                    kind: row["scope_kind"], value: row["scope_value"], monthly: row["monthly"],
                    currency: row["currency"], alertAt: row["alert_at"], notify: row["notify"],
                    createdAt: row["created_at"])
            }
        }
    }

    public func removeBudget(_ scope: Budget.Scope) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: "DELETE FROM budgets WHERE scope_kind = ? AND scope_value = ?",
                arguments: [scope.kind, scope.value])
            return db.changesCount > 0
        }
    }

    public func raiseAlerts(_ alerts: [(alert: Alert, targets: [AlertTarget])], now: Int64) async throws -> [Alert] {
        guard !alerts.isEmpty else { return [] }
        return try await writer.write { db in
            var raised: [Alert] = []
            for (alert, targets) in alerts {
                try db.execute(
                    sql: """
                        INSERT INTO alerts (id, kind, account, portfolio, month, raised_at, body)
                        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
                        """,
                    arguments: [
                        alert.id, alert.kind.rawValue, alert.account, alert.portfolio, alert.month, alert.raisedAt,
                        AlertColumns.body(alert),
                    ])
                guard db.changesCount > 0 else { continue }
                raised.append(alert)
                for target in Set(targets) {
                    try db.execute(
                        sql: """
                            INSERT INTO alert_deliveries (alert_id, url, format, next_attempt_at) VALUES (?, ?, ?, ?)
                            ON CONFLICT DO NOTHING
                            """, arguments: [alert.id, target.url, target.format.rawValue, now])
                }
            }
            return raised
        }
    }

    public func alerts(visibleTo visibility: AlertVisibility, limit: Int) async throws -> [StoredAlert] {
        try await writer.read { db in
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            func list(_ column: String, _ values: [String]) -> String {
                arguments += values
                return values.isEmpty
                    ? "0" : "\(column) IN (\(Array(repeating: "?", count: values.count).joined(separator: ",")))"
            }
            if visibility.accounts != nil || visibility.portfolios != nil {
                var visible: [String] = []
                visible.append(visibility.accounts.map { list("account", $0) } ?? "account IS NOT NULL")
                visible.append(visibility.portfolios.map { list("portfolio", $0) } ?? "portfolio IS NOT NULL")
                conditions.append("(" + visible.joined(separator: " OR ") + ")")
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments.append(limit)
            let rows = try Row.fetchAll(
                db, sql: "SELECT id, body FROM alerts \(filter) ORDER BY raised_at DESC, id LIMIT ?",
                arguments: StatementArguments(arguments))
            let alerts = rows.compactMap { AlertColumns.alert($0["body"]) }
            guard !alerts.isEmpty else { return [] }
            // Every listed alert's deliveries in one read.
            var deliveries: [String: [StoredAlert.Delivery]] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT alert_id, url, format, attempts, delivered_at, abandoned, next_attempt_at, last_error
                    FROM alert_deliveries
                    WHERE alert_id IN (\(Array(repeating: "?", count: alerts.count).joined(separator: ",")))
                    ORDER BY alert_id, url, format
                    """, arguments: StatementArguments(alerts.map(\.id)))
            {
                deliveries[row["alert_id"], default: []].append(Self.delivery(row))
            }
            return alerts.map { StoredAlert(alert: $0, deliveries: deliveries[$0.id] ?? []) }
        }
    }

    private static func delivery(_ row: Row) -> StoredAlert.Delivery {
        StoredAlert.Delivery(
            target: AlertTarget(url: row["url"], format: AlertTarget.Format(rawValue: row["format"]) ?? .json),
            attempts: row["attempts"], deliveredAt: row["delivered_at"], abandoned: row["abandoned"],
            nextAttemptAt: row["next_attempt_at"], lastError: row["last_error"])
    }

    public func claimAlertDeliveries(now: Int64, leaseSeconds: Int64, limit: Int) async throws -> [AlertDelivery] {
        try await writer.write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT d.alert_id, d.url, d.format, d.attempts, a.body FROM alert_deliveries d
                    JOIN alerts a ON a.id = d.alert_id
                    WHERE d.delivered_at IS NULL AND d.abandoned = 0 AND d.next_attempt_at <= ? AND d.lease_until <= ?
                    ORDER BY d.next_attempt_at, d.alert_id LIMIT ?
                    """, arguments: [now, now, limit])
            var claimed: [AlertDelivery] = []
            for row in rows {
                guard let alert = AlertColumns.alert(row["body"]) else { continue }
                try db.execute(
                    sql: "UPDATE alert_deliveries SET lease_until = ? WHERE alert_id = ? AND url = ? AND format = ?",
                    arguments: [
                        now + leaseSeconds, row["alert_id"] as String, row["url"] as String, row["format"] as String,
                    ])
                claimed.append(
                    AlertDelivery(
                        alert: alert,
                        target: AlertTarget(
                            url: row["url"], format: AlertTarget.Format(rawValue: row["format"]) ?? .json),
                        attempts: row["attempts"]))
            }
            return claimed
        }
    }

    public func finishAlertDelivery(_ delivery: AlertDelivery, at: Int64, outcome: AlertDelivery.Outcome) async throws {
        let (delivered, next, abandoned, error) = AlertColumns.outcome(outcome, at: at)
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE alert_deliveries SET attempts = attempts + 1, lease_until = 0, delivered_at = ?,
                        next_attempt_at = coalesce(?, next_attempt_at), abandoned = ?, last_error = ?
                    WHERE alert_id = ? AND url = ? AND format = ? AND delivered_at IS NULL
                    """,
                arguments: [
                    delivered, next, abandoned, error, delivery.alert.id, delivery.target.url,
                    delivery.target.format.rawValue,
                ])
        }
    }

    public func lastActivity(account: String) async throws -> Int64? {
        try await writer.read { db in
            try Int64.fetchOne(
                db,
                sql: """
                    SELECT half_hour FROM \(CounterTable.halfHourly.name) WHERE account = ?
                    ORDER BY day DESC, half_hour DESC LIMIT 1
                    """, arguments: [account]
            ).map { $0 + 1_800 }
        }
    }
}
