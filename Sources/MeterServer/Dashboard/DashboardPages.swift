import Foundation
import MeterCore

/// What the dashboard's templates show, computed from the report and the insights: the same
/// figures as `wameter report` and `GET /api/v1/insights` for the same account and period.
enum DashboardPages {
    /// Category colours, stable across pages.
    static let palette = ["#128c7e", "#3b82f6", "#f59e0b", "#8b5cf6", "#ef4444", "#10b981", "#64748b", "#ec4899"]

    static func number(_ value: Int) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.usesGroupingSeparator = true
        formatter.groupingSeparator = ","
        formatter.groupingSize = 3
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }

    /// Money for people: at most four decimals, as on Meta's cards (exact figures are in the CSV and
    /// the API).
    static func money(_ value: Decimal) -> String {
        var value = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 4, .plain)
        return formatMoney(rounded)
    }

    struct OverviewLine {
        var account: Account
        var report: Report
        /// Spend of the previous month from its first day to the same day of the month.
        var previous: Decimal
        /// Days of the month elapsed (today included) and in all.
        var elapsedDays: Int
        var monthDays: Int
    }

    static func overview(_ lines: [OverviewLine]) -> [String: Any] {
        let accounts = lines.map { line -> [String: Any] in
            let report = line.report
            let messages = report.messages
            let conversations = report.conversations
            let delivered = messages.delivered + conversations.delivered
            let charged = messages.charged + conversations.charged
            let spend = report.cost.total
            var forecast = spend
            if line.elapsedDays > 0 {
                forecast = spend * Decimal(line.monthDays) / Decimal(line.elapsedDays)
            }
            var change: String?
            if line.previous > 0 {
                let ratio = (spend - line.previous) / line.previous * 100
                let percent = NSDecimalNumber(decimal: ratio).doubleValue
                change = String(format: "%+.0f%%", percent)
            }
            var row: [String: Any] = [
                "id": line.account.id, "name": line.account.name ?? line.account.id, "month": report.month,
                "delivered": number(delivered), "charged": number(charged), "free": number(delivered - charged),
                "received": number(messages.received), "spend": money(spend), "currency": report.currency,
                "previous": money(line.previous), "forecast": money(forecast),
            ]
            // Every key set in every row: Mustache looks a missing key up in the enclosing context.
            row["change"] = change ?? false
            row["unrated"] = report.unrated.count > 0 ? number(report.unrated.count) : false
            return row
        }
        // Totals over accounts: counts add up; money only within a currency.
        var spend: [String: Decimal] = [:]
        for line in lines { spend[line.report.currency, default: 0] += line.report.cost.total }
        let sum = { (value: (Report) -> Int) in number(lines.reduce(0) { $0 + value($1.report) }) }
        return [
            "title": "Overview", "accounts": accounts, "hasAccounts": !accounts.isEmpty,
            "totals": spend.keys.sorted().map { ["currency": $0, "spend": money(spend[$0]!)] },
            "delivered": sum { $0.messages.delivered + $0.conversations.delivered },
            "charged": sum { $0.messages.charged + $0.conversations.charged },
            "received": sum { $0.messages.received },
        ]
    }

    static func account(
        _ account: Account, report: Report, byDay: InsightsResult,
        tables: [(title: String, heading: String, result: InsightsResult, csv: String)],
        dailyCSV: String
    ) -> [String: Any] {
        let currency = report.currency
        let days = dayList(report.month)
        // Categories with charged units only: inbound and free traffic has nothing to stack.
        let categories = Array(
            Set(
                byDay.rows.filter { $0.metrics.messagesCharged + $0.metrics.conversationsCharged > 0 }.map {
                    $0.values.first ?? ""
                })
        ).sorted()
        var charged: [String: [Double]] = [:]
        var perDay: [String: InsightsMetrics] = [:]
        for row in byDay.rows where row.currency == currency {
            let day = row.period
            guard let index = days.firstIndex(of: day) else { continue }
            let category = row.values.first ?? ""
            if categories.contains(category) {
                charged[category, default: Array(repeating: 0, count: days.count)][index] += Double(
                    row.metrics.messagesCharged + row.metrics.conversationsCharged)
            }
            perDay[day, default: InsightsMetrics()].add(row.metrics)
        }
        let colors = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, palette[$0 % palette.count]) })
        let chargedChart = SVGBarChart(
            periods: days,
            series: categories.map {
                SVGBarChart.Series(
                    name: $0, color: colors[$0]!, values: charged[$0] ?? Array(repeating: 0, count: days.count))
            },
            format: { number(Int($0.rounded())) }, label: "Charged messages by day and category"
        ).render()
        let costChart = SVGBarChart(
            periods: days,
            series: [
                SVGBarChart.Series(
                    name: "spend", color: palette[0],
                    values: days.map { NSDecimalNumber(decimal: perDay[$0]?.cost ?? 0).doubleValue })
            ],
            format: { String(format: $0 < 1 ? "%.3f" : "%.2f", $0) }, label: "Spend by day in \(currency)"
        ).render()
        let messages = report.messages
        let conversations = report.conversations
        let delivered = messages.delivered + conversations.delivered
        let chargedTotal = messages.charged + conversations.charged
        var context: [String: Any] = [
            // The title carries the month's charged count, so a tab (and a test) sees it move.
            "title": "\(account.name ?? account.id) · \(report.month) · \(number(chargedTotal)) charged",
            "id": account.id, "name": account.name ?? account.id,
            "month": report.month, "timezone": report.timezone, "currency": currency,
            "spend": money(report.cost.total), "delivered": number(delivered), "charged": number(chargedTotal),
            "free": number(delivered - chargedTotal), "received": number(messages.received),
            "sent": number(messages.sent), "read": number(messages.read), "failed": number(messages.failed),
            "categories": categories.map { ["name": $0, "color": colors[$0]!] },
            "chargedChart": chargedChart, "costChart": costChart,
            "days": days.map { day -> [String: Any] in
                let metrics = perDay[day] ?? InsightsMetrics()
                return [
                    "day": day, "delivered": number(metrics.messagesDelivered + metrics.conversationsDelivered),
                    "charged": number(metrics.messagesCharged + metrics.conversationsCharged),
                    "spend": money(metrics.cost),
                ]
            },
            "dailyCSV": dailyCSV,
            "tables": tables.map { table -> [String: Any] in
                [
                    "title": table.title, "heading": table.heading, "csv": table.csv,
                    "rows": table.result.rows.filter { $0.currency == currency }.map { row -> [String: Any] in
                        let metrics = row.metrics
                        var label = row.values.first ?? ""
                        if let display = table.result.displayNumber(of: row) { label += " (\(display))" }
                        var line: [String: Any] = [
                            "label": label,
                            "delivered": number(metrics.messagesDelivered + metrics.conversationsDelivered),
                            "charged": number(metrics.messagesCharged + metrics.conversationsCharged),
                            "free": number(metrics.messagesFree + metrics.conversationsFree),
                            "spend": money(metrics.cost),
                        ]
                        // Set even when zero: Mustache would otherwise find the page's `unrated`.
                        line["unrated"] = metrics.unrated > 0 ? number(metrics.unrated) : false
                        return line
                    },
                ]
            },
            "rateCards": report.rateCards.map(\.label), "hasRateCards": !report.rateCards.isEmpty,
        ]
        context["unrated"] = false
        if report.unrated.count > 0 {
            context["unrated"] = number(report.unrated.count)
            context["unratedNames"] = Set(report.unrated.units.map { "\($0.category) in \($0.market)" }).sorted()
                .prefix(6).joined(separator: ", ")
        }
        return context
    }

    /// Every local day of a month, `YYYY-MM-DD`.
    static func dayList(_ month: String) -> [String] {
        guard let parsed = YearMonth(month) else { return [] }
        var days: [String] = []
        var day = parsed.firstDay
        while day < parsed.next.firstDay && day <= parsed.lastPossibleDay {
            let text = DayKeys.format(day)
            if DayKeys.parse(text) != nil { days.append(text) }
            day += 1
        }
        return days
    }
}
