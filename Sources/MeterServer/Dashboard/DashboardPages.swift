import Foundation
import MeterCore
import MeterStore
import WhatsAppWebhook

/// What the dashboard's templates show, computed from the report and the insights: the same
/// figures as `wameter report` and `GET /api/v1/insights` for the same account and period.
enum DashboardPages {
    /// Category colours, stable across pages.
    static let palette = ["#128c7e", "#3b82f6", "#f59e0b", "#8b5cf6", "#ef4444", "#10b981", "#64748b", "#ec4899"]

    /// A count with thousands separators ("12,345"). By hand: a page writes thousands of them, and a
    /// NumberFormatter per number was a measurable part of a render.
    static func number(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    /// Money for people: at most four decimals, as on Meta's cards (exact figures are in the CSV and
    /// the API).
    static func money(_ value: Decimal) -> String {
        formatMoney(value.rounded(places: 4))
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

    /// The month-end spend: the report's forecast (same weekday, with a range), or the straight
    /// line when the report has none (a month not in progress).
    static func forecast(_ line: OverviewLine) -> MonthForecast.Estimate<Decimal> {
        if let forecast = line.report.forecast { return forecast.projection.cost }
        let spend = line.report.cost.total
        let straight =
            line.elapsedDays > 0 ? spend * Decimal(line.monthDays) / Decimal(line.elapsedDays) : spend
        return .init(estimate: straight, low: straight, high: straight)
    }

    static func overview(_ lines: [OverviewLine]) -> [String: Any] {
        let accounts = lines.map { line -> [String: Any] in
            let report = line.report
            let messages = report.messages
            let conversations = report.conversations
            let delivered = messages.delivered + conversations.delivered
            let charged = messages.charged + conversations.charged
            let spend = report.cost.total
            let forecast = Self.forecast(line)
            var change: String?
            if line.previous > 0 {
                let ratio = (spend - line.previous) / line.previous * 100
                let percent = NSDecimalNumber(decimal: ratio).doubleValue
                change = String(format: "%+.0f%%", percent)
            }
            var row: [String: Any] = [
                "id": line.account.id, "name": line.account.name ?? line.account.id, "month": report.month,
                "portfolio": line.account.portfolio ?? false,
                "delivered": number(delivered), "charged": number(charged), "free": number(delivered - charged),
                "received": number(messages.received), "spend": money(spend), "currency": report.currency,
                "previous": money(line.previous), "forecast": money(forecast.estimate),
                "forecastRange": "\(money(forecast.low))–\(money(forecast.high))",
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
        let portfolios = portfolioLines(lines)
        return [
            "title": "Overview", "accounts": accounts, "hasAccounts": !accounts.isEmpty,
            // Shown when some account belongs to a portfolio: a BSP's clients at a glance.
            "portfolios": lines.contains { $0.account.portfolio != nil } ? portfolios : [],
            "totals": spend.keys.sorted().map { ["currency": $0, "spend": money(spend[$0]!)] },
            "delivered": sum { $0.messages.delivered + $0.conversations.delivered },
            "charged": sum { $0.messages.charged + $0.conversations.charged },
            "received": sum { $0.messages.received },
        ]
    }

    /// The overview's lines summed per portfolio and currency (money is never added across
    /// currencies): accounts, delivered, charged, free, received, spend, last month to date and the
    /// month-end pace (the sum of the accounts' own, each from its own local month).
    static func portfolioLines(_ lines: [OverviewLine]) -> [[String: Any]] {
        struct Sum {
            var accounts = 0
            var delivered = 0
            var charged = 0
            var received = 0
            var spend = Decimal(0)
            var previous = Decimal(0)
            var forecast = Decimal(0)
            var unrated = 0
        }
        var sums: [String: [String: Sum]] = [:]
        for line in lines {
            let report = line.report
            var sum = sums[line.account.portfolio ?? "", default: [:]][report.currency] ?? Sum()
            sum.accounts += 1
            sum.delivered += report.messages.delivered + report.conversations.delivered
            sum.charged += report.messages.charged + report.conversations.charged
            sum.received += report.messages.received
            sum.spend += report.cost.total
            sum.previous += line.previous
            sum.forecast += Self.forecast(line).estimate
            sum.unrated += report.unrated.count
            sums[line.account.portfolio ?? "", default: [:]][report.currency] = sum
        }
        return sums.keys.sorted { ($0.isEmpty ? 1 : 0, $0) < ($1.isEmpty ? 1 : 0, $1) }.flatMap { portfolio in
            sums[portfolio]!.sorted { $0.key < $1.key }.map { currency, sum -> [String: Any] in
                [
                    "name": portfolio.isEmpty ? "no portfolio" : portfolio, "currency": currency,
                    "accounts": number(sum.accounts), "delivered": number(sum.delivered),
                    "charged": number(sum.charged), "free": number(sum.delivered - sum.charged),
                    "received": number(sum.received), "spend": money(sum.spend), "previous": money(sum.previous),
                    "forecast": money(sum.forecast), "unrated": sum.unrated > 0 ? number(sum.unrated) : false,
                ]
            }
        }
    }

    /// A chart's periods: the insights' label of each (its key in the rows) and what the page
    /// writes for it.
    struct Period {
        var key: String
        var label: String
    }

    /// The month's days, or a day's half-hours (UTC half-hours from the local day's start to the
    /// next day's: 48, or 46 and 50 when the clocks change), labelled in local time.
    static func periods(month: YearMonth, day: DayKey?, calendar: BillingCalendar) -> [Period] {
        guard let day else { return month.days.map { Period(key: DayKeys.format($0), label: DayKeys.format($0)) } }
        let range = calendar.range(from: day, through: day)
        return stride(from: RollupKey.halfHour(of: range.lowerBound), to: range.upperBound, by: 1_800).map {
            let key = HalfHourLabel.format($0, in: calendar)
            return Period(key: key, label: String(key.dropFirst(11).prefix(5)))
        }
    }

    /// The account page from one insights result by period (day, or half-hour for a single day) ×
    /// category × phone × market × country: the charts sum it by period and category, the tables by
    /// one dimension each, the cards take its totals.
    static func account(
        _ account: Account, month: YearMonth, day: DayKey? = nil, periods: [Period], detail: InsightsResult,
        report: Report, csv: [String: String]
    ) -> [String: Any] {
        let rateCards = report.rateCards
        let currency = account.currency
        let days = periods.map(\.key)
        let unit = day == nil ? "day" : "half-hour"
        let rows = detail.rows.filter { $0.currency == currency }
        let totals = detail.totals.first { $0.currency == currency }?.metrics ?? InsightsMetrics()
        func charged(_ metrics: InsightsMetrics) -> Int { metrics.messagesCharged + metrics.conversationsCharged }
        func delivered(_ metrics: InsightsMetrics) -> Int {
            metrics.messagesDelivered + metrics.conversationsDelivered
        }

        // Sums by one dimension (index into the query's dimensions), and by day × category. Calls
        // (category `calling`) have a section of their own: the tables count messages.
        func sums(_ dimension: Int, calls: Bool = false) -> [(String, InsightsMetrics)] {
            var sums: [String: InsightsMetrics] = [:]
            for row in rows where (row.values[0] == CallCharging.category) == calls {
                sums[row.values[dimension], default: InsightsMetrics()].add(row.metrics)
            }
            return sums.sorted { $0.key < $1.key }
        }
        var perDay: [String: InsightsMetrics] = [:]
        var perDayCategory: [String: [String: Int]] = [:]
        for row in rows {
            perDay[row.period, default: InsightsMetrics()].add(row.metrics)
            perDayCategory[row.values[0], default: [:]][row.period, default: 0] += charged(row.metrics)
        }
        // Categories with charged units only: inbound and free traffic has nothing to stack.
        let categories = perDayCategory.filter { $0.value.values.contains { $0 > 0 } }.keys.sorted()
        let colors = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, palette[$0 % palette.count]) })
        let chargedChart = SVGBarChart(
            periods: periods.map(\.label),
            series: categories.map { category in
                SVGBarChart.Series(
                    name: category, color: colors[category]!,
                    values: days.map { Double(perDayCategory[category]?[$0] ?? 0) })
            },
            format: { number(Int($0.rounded())) }, label: "Charged messages by \(unit) and category", integral: true
        ).render()
        let costChart = SVGBarChart(
            periods: periods.map(\.label),
            series: [
                SVGBarChart.Series(
                    name: "spend", color: palette[0],
                    values: days.map { NSDecimalNumber(decimal: perDay[$0]?.cost ?? 0).doubleValue })
            ],
            format: { String(format: $0 < 1 ? "%.3f" : "%.2f", $0) }, label: "Spend by \(unit) in \(currency)"
        ).render()

        func table(_ title: String, _ heading: String, _ dimension: Int, _ link: String) -> [String: Any] {
            [
                "title": title, "heading": heading, "csv": csv[link] ?? "",
                "rows": sums(dimension).map { value, metrics -> [String: Any] in
                    var label = value
                    if dimension == 1, let display = detail.displayNumbers[value] { label += " (\(display))" }
                    // Sent and received too: a market where a message is only sent so far, or from
                    // which only messages came in, would otherwise be a row of zeros.
                    return [
                        "label": label, "sent": number(metrics.messagesSent), "delivered": number(delivered(metrics)),
                        "charged": number(charged(metrics)),
                        "free": number(metrics.messagesFree + metrics.conversationsFree),
                        "received": number(metrics.messagesReceived), "spend": money(metrics.cost),
                        // Set even when zero: Mustache would otherwise find the page's `unrated`.
                        "unrated": metrics.unrated > 0 ? number(metrics.unrated) : false,
                    ]
                },
            ]
        }

        let name = account.name ?? account.id
        var context: [String: Any] = [
            // The title carries the month's charged count, so a tab (and a test) sees it move.
            "title": "\(name) · \(day.map(DayKeys.format) ?? month.description) · \(number(charged(totals))) charged",
            "id": account.id, "name": name, "month": month.description, "timezone": account.timezone,
            "period": day.map(DayKeys.format) ?? month.description, "unit": unit,
            "day": day.map { ["date": DayKeys.format($0)] } ?? false,
            "currency": currency,
            "spend": money(totals.cost), "delivered": number(delivered(totals)), "charged": number(charged(totals)),
            "free": number(totals.messagesFree + totals.conversationsFree), "received": number(totals.messagesReceived),
            "sent": number(totals.messagesSent), "read": number(totals.messagesRead),
            "failed": number(totals.messagesFailed),
            "categories": categories.map { ["name": $0, "color": colors[$0]!] },
            "chargedChart": chargedChart, "costChart": costChart,
            "days": periods.map { period -> [String: Any] in
                let metrics = perDay[period.key] ?? InsightsMetrics()
                return [
                    "label": period.label, "delivered": number(delivered(metrics)), "charged": number(charged(metrics)),
                    "spend": money(metrics.cost),
                    // A month's days link to their half-hours.
                    "link": day == nil ? "/accounts/\(account.id)?day=\(period.key)" : false,
                ]
            },
            "dailyCSV": csv["day"] ?? "",
            "tables": [
                table("By business phone number", "phone number", 1, "phone"),
                table("By market", "market", 2, "market"), table("By country", "country", 3, "country"),
                table("By message type", "category", 0, "category"),
            ],
            "rateCards": rateCards.map(\.label), "hasRateCards": !rateCards.isEmpty,
            "unrated": false,
        ]
        context["freeTiers"] = freeTiers(
            month: month, report: report, rows: rows, displayNumbers: detail.displayNumbers)
        context["tiers"] =
            report.volumeTiers.isEmpty
            ? false
            : report.volumeTiers.map { line -> [String: Any] in
                [
                    "market": line.market, "category": line.category, "charged": number(line.charged),
                    "portfolio": number(line.portfolioCharged), "tier": line.tier ?? "no tier table",
                    "metaTier": line.metaTier ?? "none received",
                    // Flagged when Meta's announced tier is not the one wameter's count reaches.
                    "differs": line.metaTier != nil && line.tier != nil && line.metaTier != line.tier,
                ]
            }
        // The month in progress: where it is heading (the report's forecast), on the month's page.
        context["forecast"] = false
        if day == nil, let forecast = report.forecast {
            let p = forecast.projection
            context["forecast"] = [
                "spend": money(p.cost.estimate), "low": money(p.cost.low), "high": money(p.cost.high),
                "charged": number(p.charged.estimate), "elapsed": p.daysElapsed, "days": p.daysInMonth,
            ]
        }
        // Every key set, as above: `false` hides the section.
        context["calls"] = false
        if totals.calls > 0 {
            context["calls"] = [
                "placed": number(totals.calls), "answered": number(totals.callsAnswered),
                "charged": number(totals.callsCharged), "minutes": formatMoney(totals.callMinutes),
                "spend": money(totals.callCost),
                "rows": sums(2, calls: true).map { market, metrics -> [String: Any] in
                    [
                        "market": market, "placed": number(metrics.calls), "charged": number(metrics.callsCharged),
                        "minutes": formatMoney(metrics.callMinutes), "spend": money(metrics.callCost),
                        "unrated": metrics.unrated > 0 ? number(metrics.unrated) : false,
                    ]
                },
            ]
        }
        if totals.unrated > 0 {
            var names: Set<String> = []
            for row in rows where row.metrics.unrated > 0 { names.insert("\(row.values[0]) in \(row.values[2])") }
            context["unrated"] = number(totals.unrated)
            context["unratedNames"] = names.sorted().prefix(6).joined(separator: ", ")
        }
        return context
    }

    /// The latest alerts, each with when it was raised (UTC) and whether its targets have it.
    static func alerts(_ alerts: [StoredAlert], names: [String: String] = [:]) -> Any {
        guard !alerts.isEmpty else { return false }
        return alerts.map { stored -> [String: Any] in
            let alert = stored.alert
            let sent = stored.deliveries.filter { $0.deliveredAt != nil }.count
            let state: String =
                stored.deliveries.isEmpty
                ? "listed only"
                : sent == stored.deliveries.count
                    ? "sent" : stored.deliveries.contains(where: \.abandoned) ? "not delivered" : "sending"
            return [
                "raised": BillingCalendar.utc.timestamp(alert.raisedAt),
                "kind": alert.kind.rawValue.replacingOccurrences(of: "_", with: " "),
                "scope": alert.account.map { names[$0] ?? "account \($0)" } ?? alert.portfolio.map { "portfolio \($0)" }
                    ?? "",
                "message": alert.message, "state": state, "warn": state == "not delivered",
            ]
        }
    }

    /// The month's last check against Meta's analytics (`wameter reconcile --save`, serve's daily
    /// run): agree, or how many cells differ and why, with a link to the whole report.
    static func reconciliation(_ check: StoredReconciliation) -> [String: Any] {
        var causes = ""
        if let report = try? JSONDecoder().decode(ReconciliationJSON.self, from: Data(check.body.utf8)) {
            causes = report.causes.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
                .map { "\($0.value) \($0.key.replacingOccurrences(of: "_", with: " "))" }.joined(separator: ", ")
        }
        let checked = BillingCalendar.utc.timestamp(check.checkedAt)
        return [
            "agrees": check.agrees, "differences": number(check.differences),
            "causes": causes.isEmpty ? "" : causes + " · ",
            "checked": checked,
            "link": "/api/v1/reconciliations?account=\(check.account)&month=\(check.month)&limit=1",
        ]
    }

    /// The free tiers the month used: the first 1,000 conversations (CBP months, of any category or of
    /// service only) per account, or from 2026-10-01 the 1,000 free service messages per business phone
    /// number; `false` when the month has neither.
    static func freeTiers(
        month: YearMonth, report: Report, rows: [InsightsResult.Row], displayNumbers: [String: String]
    ) -> Any {
        let size = PricingRules.freeTierSize
        if case .first(_, let serviceOnly) = PricingRules.conversationFreeTier(for: month) {
            return [
                [
                    "label": serviceOnly ? "service conversations, this account" : "conversations, this account",
                    "used": number(report.conversations.freeTier), "size": number(size),
                    "percent": min(100, report.conversations.freeTier * 100 / size),
                ]
            ]
        }
        guard month.firstDay >= PricingEra.serviceFreeTier.day else { return false }
        var free: [String: Int] = [:]
        for row in rows where row.values[0] == PricingCategory.service {
            free[row.values[1], default: 0] += row.metrics.messagesFree
        }
        guard !free.isEmpty else { return false }
        return free.sorted { $0.key < $1.key }.map { phone, count -> [String: Any] in
            [
                "label": "service messages, " + (displayNumbers[phone].map { "\(phone) (\($0))" } ?? phone),
                "used": number(min(count, size)), "size": number(size), "percent": min(100, count * 100 / size),
            ]
        }
    }
}
