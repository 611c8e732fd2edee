import Foundation

extension InsightsResult {
    public func rendered(as format: ReportFormat) -> String {
        switch format {
        case .json: String(decoding: jsonData(), as: UTF8.self) + "\n"
        case .csv: csvHeader + rows.map(csvLine).joined()
        case .table: tableText()
        }
    }

    public func jsonData() -> Data {
        InsightsJSON(self).data()
    }

    /// The CSV's first line: the period, the currency, the queried dimensions in the query's order,
    /// then every figure. Columns are added at the end, never reordered.
    public var csvHeader: String {
        let columns =
            ["period", "currency"] + dimensionColumns + [
                "messages_sent", "messages_delivered", "messages_read", "messages_failed", "messages_received",
                "messages_charged", "messages_free", "conversations_delivered", "conversations_charged",
                "conversations_free", "cost", "unrated", "messages_app_sent", "messages_agent_sent", "calls",
                "calls_answered", "calls_charged", "call_billed_minutes", "call_cost",
            ]
        return columns.joined(separator: ",") + "\n"
    }

    /// The queried dimensions' columns: their field names, and after `phone_number_id` the
    /// number's `display_phone_number`.
    private var dimensionColumns: [String] {
        query.dimensions.flatMap { $0 == .phone ? [$0.fieldName, "display_phone_number"] : [$0.fieldName] }
    }

    /// The row's values for `dimensionColumns`.
    private func dimensionValues(_ row: Row) -> [String] {
        zip(query.dimensions, row.values).flatMap { dimension, value in
            dimension == .phone ? [value, displayNumbers[value] ?? ""] : [value]
        }
    }

    /// One CSV line per row, so that an export can be written as it is rendered.
    public func csvLine(_ row: Row) -> String {
        let m = row.metrics
        let fields =
            [row.period, row.currency] + dimensionValues(row)
            + [
                m.messagesSent, m.messagesDelivered, m.messagesRead, m.messagesFailed, m.messagesReceived,
                m.messagesCharged, m.messagesFree, m.conversationsDelivered, m.conversationsCharged,
                m.conversationsFree,
            ].map(String.init) + [formatMoney(m.cost), String(m.unrated)]
            + [String(m.messagesAppSent), String(m.messagesAgentSent)]
            + [String(m.calls), String(m.callsAnswered), String(m.callsCharged)]
            + [formatMoney(m.callMinutes), formatMoney(m.callCost)]
        return fields.map(CSV.escape).joined(separator: ",") + "\n"
    }

    /// For people: the totals first, then the breakdown with a subtotal per period, and a `*` on
    /// every cost that leaves out charged units with no rate.
    public func tableText() -> String {
        let query = self.query
        var out = "wameter insights  \(query.periodLabel)"
        out += "  \(accounts.count == 1 ? "account" : "accounts") \(accounts.joined(separator: ", "))\n"
        if !query.filters.values.isEmpty {
            out += "only: "
            out += query.filters.values.sorted { $0.key < $1.key }.map {
                "\($0.key.rawValue) \($0.value.sorted().joined(separator: ","))"
            }.joined(separator: "; ")
            out += "\n"
        }
        out += "\n"
        if totals.isEmpty { out += "Nothing in this period.\n" }
        for total in totals {
            let m = total.metrics
            out += "Total (\(total.currency))\n"
            out += "  messages       sent \(m.messagesSent)  delivered \(m.messagesDelivered)  read \(m.messagesRead)"
            out += "  failed \(m.messagesFailed)  received \(m.messagesReceived)  charged \(m.messagesCharged)"
            out += "  free \(m.messagesFree)"
            if let undelivered = total.undeliveredMessages {
                out += "  pending \(undelivered.total - undelivered.dropped)  dropped \(undelivered.dropped)"
            }
            out += "\n  conversations  delivered \(m.conversationsDelivered)  charged \(m.conversationsCharged)"
            out += "  free \(m.conversationsFree)"
            if let undelivered = total.undeliveredConversations {
                out += "  pending \(undelivered.total - undelivered.dropped)  dropped \(undelivered.dropped)"
            }
            if m.calls > 0 {
                out += "\n  calls          placed \(m.calls)  answered \(m.callsAnswered)  charged \(m.callsCharged)"
                out += "  billed minutes \(formatMoney(m.callMinutes))  cost \(formatMoney(m.callCost))"
            }
            out += "\n  cost           \(Self.money(m)) \(total.currency)\n"
        }
        if !query.dimensions.isEmpty || query.granularity != .total, !rows.isEmpty {
            out +=
                "\nBy "
                + ([query.granularity == .total ? nil : query.granularity.rawValue]
                + query.dimensions.map(\.rawValue)).compactMap { $0 }.joined(separator: " × ") + "\n"
            out += breakdownTable()
        }
        if let forecasts {
            out += "\nMonth-end forecast (\(MonthForecast.method.replacingOccurrences(of: "_", with: " ")))\n"
            if forecasts.isEmpty { out += "  no account has figures this month\n" }
            for item in forecasts {
                let p = item.forecast.projection
                out += "  \(item.account) \(item.month)  day \(p.daysElapsed) of \(p.daysInMonth)"
                out += "  charged \(p.charged.estimate) (\(p.charged.low)–\(p.charged.high))"
                out += "  cost \(formatMoney(p.cost.estimate.rounded(places: 2))) \(item.currency)"
                out +=
                    " (\(formatMoney(p.cost.low.rounded(places: 2)))–\(formatMoney(p.cost.high.rounded(places: 2))))\n"
            }
        }
        let unrated = totals.reduce(0) { $0 + $1.metrics.unrated }
        if unrated > 0 {
            out += "\n* \(unrated) charged unit(s) have no rate in the rate card and are not in the cost "
            out += "(`wameter rates list`, docs/rates.md).\n"
        }
        return out
    }

    private func breakdownTable() -> String {
        let showCurrency = Set(rows.map(\.currency)).count > 1
        let showPeriod = query.granularity != .total
        var header: [String] = []
        if showPeriod { header.append(query.granularity.rawValue) }
        if showCurrency { header.append("currency") }
        header += query.dimensions.flatMap { $0 == .phone ? ["phone", "number"] : [$0.rawValue] }
        let firstFigure = header.count
        // Conversation columns only where there are conversations (before July 2025).
        let showConversations = totals.contains { $0.metrics.conversationsDelivered > 0 }
        header += ["sent", "delivered", "read", "failed", "charged", "free", "received"]
        if showConversations { header += ["conv. delivered", "conv. charged", "conv. free"] }
        header.append("cost")

        func cells(_ m: InsightsMetrics) -> [String] {
            var figures = [
                m.messagesSent, m.messagesDelivered, m.messagesRead, m.messagesFailed, m.messagesCharged,
                m.messagesFree, m.messagesReceived,
            ]
            if showConversations { figures += [m.conversationsDelivered, m.conversationsCharged, m.conversationsFree] }
            return figures.map(String.init) + [Self.money(m)]
        }
        var table: [[String]] = []
        var index = rows.startIndex
        while index < rows.endIndex {
            // The rows of one period (and currency), then their subtotal when there is more than one.
            let period = rows[index].period
            let currency = rows[index].currency
            var end = index
            var subtotal = InsightsMetrics()
            while end < rows.endIndex, rows[end].period == period, rows[end].currency == currency {
                let row = rows[end]
                var line: [String] = []
                if showPeriod { line.append(end == index ? period : "") }
                if showCurrency { line.append(end == index ? currency : "") }
                line += dimensionValues(row).map { $0.isEmpty ? "-" : $0 }
                table.append(line + cells(row.metrics))
                subtotal.add(row.metrics)
                end += 1
            }
            if showPeriod, !query.dimensions.isEmpty, end - index > 1 {
                var line = Array(repeating: "", count: firstFigure)
                line[line.count - 1] = "subtotal"
                table.append(line + cells(subtotal))
            }
            index = end
        }
        return Report.table(header: header, rows: table, rightAligned: Set(firstFigure..<header.count))
    }

    private static func money(_ metrics: InsightsMetrics) -> String {
        formatMoney(metrics.cost) + (metrics.unrated > 0 ? "*" : "")
    }
}
