import Foundation

/// When an alert is due, as pure functions of figures the caller gathered. Each alert's id names its
/// occasion, so evaluating the same figures again raises nothing new: a budget threshold once per
/// month, a silence once per last delivery, unrated units once per power of ten, a reconciliation
/// once per count of differences.
public enum AlertRules {
    /// A budget's month: committed spend and the month-end forecast, in the budget's currency.
    public struct BudgetMonth: Sendable, Equatable {
        public var budget: Budget
        public var month: YearMonth
        public var spend: Decimal
        /// `nil` when there is none (a month not in progress, or no figures yet).
        public var forecast: Decimal?

        public init(budget: Budget, month: YearMonth, spend: Decimal, forecast: Decimal?) {
            self.budget = budget
            self.month = month
            self.spend = spend
            self.forecast = forecast
        }

        /// The budget's month from its accounts' reports of their current months: spend is the sum
        /// of the reports in the budget's currency (others are not converted, so not counted); the
        /// forecast sums their forecasts, counting the spend of an account without one, and is `nil`
        /// when no report has one.
        public init(budget: Budget, month: YearMonth, reports: [Report]) {
            let totals = Self.totals(of: budget, reports: reports)
            self.init(budget: budget, month: month, spend: totals.spend, forecast: totals.forecast)
        }

        /// What `init(budget:month:reports:)` sums, for lists that show it without a month.
        public static func totals(of budget: Budget, reports: [Report]) -> (spend: Decimal, forecast: Decimal?) {
            var spend = Decimal(0)
            var projected = Decimal(0)
            var anyForecast = false
            for report in reports where report.cost.currency == budget.currency {
                spend += report.cost.total
                if let estimate = report.forecast?.projection.cost.estimate {
                    projected += estimate
                    anyForecast = true
                } else {
                    projected += report.cost.total
                }
            }
            return (spend, anyForecast ? projected : nil)
        }
    }

    /// One alert per threshold reached by spend; and per threshold the forecast reaches while spend
    /// has not (a warning ahead; once spend reaches it, that alert follows).
    public static func budget(_ status: BudgetMonth, now: Int64) -> [Alert] {
        let budget = status.budget
        guard budget.monthly > 0 else { return [] }
        var alerts: [Alert] = []
        let scope = "\(budget.scope.kind):\(budget.scope.value)"
        let (account, portfolio): (String?, String?) =
            switch budget.scope {
            case .account(let id): (id, nil)
            case .portfolio(let name): (nil, name)
            }
        func money(_ value: Decimal) -> String { formatMoney(value.rounded(places: 2)) }
        for threshold in budget.alertAt {
            let level = budget.monthly * Decimal(threshold) / 100
            var figures = [
                "budget": formatMoney(budget.monthly), "currency": budget.currency, "threshold": "\(threshold)",
                "spend": formatMoney(status.spend),
            ]
            if let forecast = status.forecast { figures["forecast"] = formatMoney(forecast) }
            if status.spend >= level {
                alerts.append(
                    Alert(
                        id: "budget-spend:\(scope):\(status.month):\(threshold)", kind: .budgetSpend, account: account,
                        portfolio: portfolio, month: status.month.description, raisedAt: now,
                        message: "spend this month reached \(threshold)% of the \(money(budget.monthly)) "
                            + "\(budget.currency) budget: \(money(status.spend)) \(budget.currency)",
                        figures: figures))
            } else if let forecast = status.forecast, forecast >= level {
                alerts.append(
                    Alert(
                        id: "budget-forecast:\(scope):\(status.month):\(threshold)", kind: .budgetForecast,
                        account: account, portfolio: portfolio, month: status.month.description, raisedAt: now,
                        message: "the month-end forecast, \(money(forecast)) \(budget.currency), reaches "
                            + "\(threshold)% of the \(money(budget.monthly)) \(budget.currency) budget "
                            + "(spend so far \(money(status.spend)) \(budget.currency))",
                        figures: figures))
            }
        }
        return alerts
    }

    /// Webhooks stopped: nothing has happened on the account for longer than `after` seconds.
    /// `lastActivity` is the end of the latest half-hour with any event; `nil` (an account that never
    /// received anything) raises nothing.
    public static func silence(account: String, lastActivity: Int64?, now: Int64, after: Int64) -> Alert? {
        guard let lastActivity, now - lastActivity > after else { return nil }
        let hours = Decimal(now - lastActivity) / 3_600
        return Alert(
            id: "webhooks-stopped:\(account):\(lastActivity)", kind: .webhooksStopped, account: account,
            raisedAt: now,
            message: "no webhook events for \(formatMoney(hours.rounded(places: 1))) hours (the last in the "
                + "half-hour ending \(BillingCalendar.utc.timestamp(lastActivity)) UTC): check the webhook "
                + "subscription and the server",
            figures: ["last_activity": "\(lastActivity)", "silent_seconds": "\(now - lastActivity)"])
    }

    /// Unrated units this month reached a power of ten (1, 10, 100, …): a rate card is missing.
    public static func unrated(account: String, month: YearMonth, count: Int, now: Int64) -> Alert? {
        guard count > 0 else { return nil }
        var level = 1
        while level * 10 <= count { level *= 10 }
        return Alert(
            id: "unrated:\(account):\(month):\(level)", kind: .unratedRising, account: account,
            month: month.description, raisedAt: now,
            message: "\(count) charged unit(s) this month have no rate and are not in the spend: "
                + "`wameter rates coverage --from \(month)` names the card to import",
            figures: ["unrated": "\(count)", "level": "\(level)"])
    }

    /// A reconciliation found more differing cells than `threshold`, not counting those Meta's lag
    /// explains. One alert per count of differences, so a daily run finding the same raises it once.
    public static func drift(
        account: String, month: YearMonth, causes: [String: Int], checkedAt: Int64, threshold: Int, now: Int64
    ) -> Alert? {
        let counted = causes.filter { $0.key != Drift.Cause.metaLagging.rawValue }
        let cells = counted.values.reduce(0, +)
        guard cells > threshold else { return nil }
        let named = counted.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.value) \($0.key)" }
        return Alert(
            id: "drift:\(account):\(month):\(cells)", kind: .reconciliationDrift, account: account,
            month: month.description, raisedAt: now,
            message: "Meta's analytics differ from the ledger in \(cells) cell(s) (\(named.joined(separator: ", "))): "
                + "GET /api/v1/reconciliations?account=\(account)&month=\(month) has the report",
            figures: ["cells": "\(cells)", "checked_at": "\(checkedAt)"])
    }
}
