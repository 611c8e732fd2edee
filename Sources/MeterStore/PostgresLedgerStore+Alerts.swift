import Foundation
import Logging
import MeterCore
import PostgresNIO

extension PostgresLedgerStore {
    public func setBudget(_ budget: Budget) async throws {
        let logger = logger
        try await transactions.run { connection in
            _ = try await connection.query(
                """
                INSERT INTO budgets (scope_kind, scope_value, monthly, currency, alert_at, notify, created_at)
                VALUES (\(budget.scope.kind), \(budget.scope.value), \(budget.monthly.description), \(budget.currency),
                    \(AlertColumns.alertAt(budget.alertAt)), \(AlertColumns.targets(budget.notify)), \(budget.createdAt))
                ON CONFLICT (scope_kind, scope_value) DO UPDATE SET monthly = EXCLUDED.monthly,
                    currency = EXCLUDED.currency, alert_at = EXCLUDED.alert_at, notify = EXCLUDED.notify,
                    created_at = EXCLUDED.created_at
                """, logger: logger)
        }
    }

    public func budgets() async throws -> [Budget] {
        let logger = logger
        return try await transactions.run(.repeatableReadOnly) { connection in
            var found: [Budget] = []
            for try await (kind, value, monthly, currency, alertAt, notify, createdAt) in try await connection.query(
                """
                SELECT scope_kind, scope_value, monthly, currency, alert_at, notify, created_at FROM budgets
                ORDER BY scope_kind, scope_value
                """, logger: logger
            ).decode((String, String, String, String, String, String, Int64).self) {
                if let budget = AlertColumns.budget(
                    kind: kind, value: value, monthly: monthly, currency: currency, alertAt: alertAt, notify: notify,
                    createdAt: createdAt)
                {
                    found.append(budget)
                }
            }
            return found
        }
    }

    public func removeBudget(_ scope: Budget.Scope) async throws -> Bool {
        let logger = logger
        return try await transactions.run { connection in
            var removed = false
            for try await _ in try await connection.query(
                """
                DELETE FROM budgets WHERE scope_kind = \(scope.kind) AND scope_value = \(scope.value)
                RETURNING scope_kind
                """, logger: logger
            ).decode(String.self) {
                removed = true
            }
            return removed
        }
    }

    public func raiseAlerts(_ alerts: [(alert: Alert, targets: [AlertTarget])], now: Int64) async throws -> [Alert] {
        guard !alerts.isEmpty else { return [] }
        let logger = logger
        return try await transactions.run { connection in
            var raised: [Alert] = []
            for (alert, targets) in alerts {
                var inserted = false
                for try await _ in try await connection.query(
                    """
                    INSERT INTO alerts (id, kind, account, portfolio, month, raised_at, body)
                    VALUES (\(alert.id), \(alert.kind.rawValue), \(alert.account), \(alert.portfolio), \(alert.month),
                        \(alert.raisedAt), \(AlertColumns.body(alert)))
                    ON CONFLICT (id) DO NOTHING RETURNING id
                    """, logger: logger
                ).decode(String.self) {
                    inserted = true
                }
                guard inserted else { continue }
                raised.append(alert)
                for target in Set(targets) {
                    try await connection.query(
                        """
                        INSERT INTO alert_deliveries (alert_id, url, format, next_attempt_at)
                        VALUES (\(alert.id), \(target.url), \(target.format.rawValue), \(now)) ON CONFLICT DO NOTHING
                        """, logger: logger)
                }
            }
            return raised
        }
    }

    public func alerts(visibleTo visibility: AlertVisibility, limit: Int) async throws -> [StoredAlert] {
        let logger = logger
        return try await transactions.run(.repeatableReadOnly) { connection in
            // NULL lists mean "any"; an empty list, none.
            let everything = visibility.accounts == nil && visibility.portfolios == nil
            var found: [StoredAlert] = []
            for try await body in try await connection.query(
                """
                SELECT body FROM alerts
                WHERE \(everything)
                   OR (account IS NOT NULL AND (\(visibility.accounts == nil) OR account = ANY(\(visibility.accounts ?? []))))
                   OR (portfolio IS NOT NULL
                       AND (\(visibility.portfolios == nil) OR portfolio = ANY(\(visibility.portfolios ?? []))))
                ORDER BY raised_at DESC, id LIMIT \(Int64(limit))
                """, logger: logger
            ).decode(String.self) {
                if let alert = AlertColumns.alert(body) { found.append(StoredAlert(alert: alert, deliveries: [])) }
            }
            guard !found.isEmpty else { return [] }
            // Every listed alert's deliveries in one round trip.
            var deliveries: [String: [StoredAlert.Delivery]] = [:]
            for try await (id, url, format, attempts, deliveredAt, abandoned, next, error)
                in try await connection.query(
                    """
                    SELECT alert_id, url, format, attempts, delivered_at, abandoned, next_attempt_at, last_error
                    FROM alert_deliveries WHERE alert_id = ANY(\(found.map(\.alert.id)))
                    ORDER BY alert_id, url, format
                    """, logger: logger
                ).decode((String, String, String, Int64, Int64?, Bool, Int64, String?).self)
            {
                deliveries[id, default: []].append(
                    StoredAlert.Delivery(
                        target: AlertTarget(url: url, format: AlertTarget.Format(rawValue: format) ?? .json),
                        attempts: Int(attempts), deliveredAt: deliveredAt, abandoned: abandoned,
                        nextAttemptAt: next, lastError: error))
            }
            return found.map { StoredAlert(alert: $0.alert, deliveries: deliveries[$0.alert.id] ?? []) }
        }
    }

    public func claimAlertDeliveries(now: Int64, leaseSeconds: Int64, limit: Int) async throws -> [AlertDelivery] {
        let logger = logger
        return try await transactions.run { connection in
            // SKIP LOCKED: instances claiming at once take disjoint rows instead of waiting.
            var claimed: [AlertDelivery] = []
            for try await (url, format, attempts, body) in try await connection.query(
                """
                WITH due AS (
                    SELECT alert_id, url, format FROM alert_deliveries
                    WHERE delivered_at IS NULL AND NOT abandoned AND next_attempt_at <= \(now) AND lease_until <= \(now)
                    ORDER BY next_attempt_at, alert_id LIMIT \(Int64(limit))
                    FOR UPDATE SKIP LOCKED
                ), claimed AS (
                    UPDATE alert_deliveries d SET lease_until = \(now + leaseSeconds)
                    FROM due WHERE d.alert_id = due.alert_id AND d.url = due.url AND d.format = due.format
                    RETURNING d.alert_id, d.url, d.format, d.attempts
                )
                SELECT c.url, c.format, c.attempts, a.body FROM claimed c JOIN alerts a ON a.id = c.alert_id
                """, logger: logger
            ).decode((String, String, Int64, String).self) {
                guard let alert = AlertColumns.alert(body) else { continue }
                claimed.append(
                    AlertDelivery(
                        alert: alert,
                        target: AlertTarget(url: url, format: AlertTarget.Format(rawValue: format) ?? .json),
                        attempts: Int(attempts)))
            }
            return claimed.sorted { ($0.alert.raisedAt, $0.alert.id) < ($1.alert.raisedAt, $1.alert.id) }
        }
    }

    public func finishAlertDelivery(_ delivery: AlertDelivery, at: Int64, outcome: AlertDelivery.Outcome) async throws {
        let (delivered, next, abandoned, error) = AlertColumns.outcome(outcome, at: at)
        let logger = logger
        try await transactions.run { connection in
            _ = try await connection.query(
                """
                UPDATE alert_deliveries SET attempts = attempts + 1, lease_until = 0, delivered_at = \(delivered),
                    next_attempt_at = coalesce(\(next), next_attempt_at), abandoned = \(abandoned), last_error = \(error)
                WHERE alert_id = \(delivery.alert.id) AND url = \(delivery.target.url)
                  AND format = \(delivery.target.format.rawValue) AND delivered_at IS NULL
                """, logger: logger)
        }
    }

    public func lastActivity(account: String) async throws -> Int64? {
        let logger = logger
        return try await transactions.run(.repeatableReadOnly) { connection in
            var found: Int64?
            for try await halfHour in try await connection.query(
                """
                SELECT half_hour FROM \(unescaped: CounterTable.halfHourly.name) WHERE account = \(account)
                ORDER BY day DESC, half_hour DESC LIMIT 1
                """, logger: logger
            ).decode(Int64.self) {
                found = halfHour + 1_800
            }
            return found
        }
    }
}
