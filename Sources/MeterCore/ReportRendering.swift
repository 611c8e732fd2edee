import Foundation

/// The report's output formats: `json` (the contract), `csv` (one row per kind × category × market ×
/// country) and `table` (for people).
public enum ReportFormat: String, Sendable, CaseIterable {
    case table, json, csv
}

extension Report {
    public func rendered(as format: ReportFormat) -> String {
        switch format {
        case .json: jsonText()
        case .csv: csvText()
        case .table: tableText()
        }
    }

    /// The contract's JSON (`ReportJSON`).
    public func jsonData() -> Data {
        WireJSON.encode(ReportJSON(self))
    }

    public func jsonText() -> String {
        String(decoding: jsonData(), as: UTF8.self) + "\n"
    }

    /// One row per cell. Columns after `currency` were added later (never reordered): charged units
    /// without a rate, and for utility and authentication messages their volume-tier pool's count,
    /// computed tier and Meta's announced tier. Calls add one row per market, kind `call`, category
    /// `calling`: `delivered` is the calls placed, `charged` the charged ones, `tier` the calling
    /// tiers reached.
    public func csvText() -> String {
        var text = "account,month,kind,category,market,country,delivered,charged,cost,currency,"
        text += "unrated,tier,portfolio_charged,meta_tier\n"
        for line in lines {
            let pool = line.kind == "message" ? volumeTier(of: line) : nil
            let fields = [
                account, month, line.kind, line.category, line.market, line.country, String(line.delivered),
                String(line.charged), formatMoney(line.cost), currency, String(line.unrated), pool?.tier ?? "",
                pool.map { String($0.portfolioCharged) } ?? "", pool?.metaTier ?? "",
            ]
            text += fields.map(CSV.escape).joined(separator: ",") + "\n"
        }
        for (market, line) in calls.byMarket.sorted(by: { $0.key < $1.key }) {
            let fields = [
                account, month, "call", CallCharging.category, market, "", String(line.count), String(line.charged),
                formatMoney(line.cost), currency, String(line.unrated),
                (calls.tiers[market] ?? []).joined(separator: " "),
                "", "",
            ]
            text += fields.map(CSV.escape).joined(separator: ",") + "\n"
        }
        return text
    }

    private func volumeTier(of line: Line) -> VolumeTierLine? {
        guard let category = TierPoolKey.poolCategory(of: line.category) else { return nil }
        return volumeTiers.first { $0.market == line.market && $0.category == category }
    }

    public func tableText() -> String {
        var out = "wameter report  account \(account)  month \(month)  (\(timezone), \(currency))\n"
        if unrated.count > 0 {
            // First, so a total that leaves units out is never read as complete.
            let keys = unrated.units.map { "\($0.category) in \($0.market)" }
            let named = Set(keys).sorted()
            out += "warning: \(unrated.count) charged unit(s) have no \(currency) rate for \(month) and are not in the "
            out += "total: \(named.prefix(5).joined(separator: ", "))"
            out += named.count > 5 ? " and \(named.count - 5) more" : ""
            out += ". Import the \(currency) card in force in \(month) (`wameter rates coverage`, docs/rates.md).\n"
        }
        out += "\n"
        out += "Conversations  delivered \(conversations.delivered)  charged \(conversations.charged)"
        out += "  free tier \(conversations.freeTier)  free entry point \(conversations.freeEntryPoint)"
        out += "  pending \(conversations.pending)  dropped \(conversations.dropped)\n"
        out += "Messages       sent \(messages.sent)  delivered \(messages.delivered)  read \(messages.read)"
        out += "  failed \(messages.failed)  received \(messages.received)  charged \(messages.charged)"
        out += "  pending \(messages.pending)  dropped \(messages.dropped)\n"
        if messages.appSent + messages.agentSent > 0 {
            out += "               sent from the Business app \(messages.appSent)  by the Business Agent "
            out += "\(messages.agentSent)  (free, not in sent)\n"
        }
        if calls.count > 0 {
            out += "Calls          placed \(calls.count)  answered \(calls.answered)"
            out += "  business-initiated \(calls.businessInitiated)  user-initiated \(calls.userInitiated)"
            out += "  charged \(calls.charged)  billed minutes \(formatMoney(calls.billedMinutes))"
            out += "  average \(calls.averageDuration.rounded(places: 0)) s\n"
        }
        out += "\n"
        let header = ["kind", "category", "market", "country", "delivered", "charged", "cost"]
        var rows = lines.map {
            [
                $0.kind, $0.category, $0.market, $0.country.isEmpty ? "?" : $0.country, String($0.delivered),
                String($0.charged), Self.cost($0.cost, unrated: $0.unrated, charged: $0.charged),
            ]
        }
        for (market, line) in calls.byMarket.sorted(by: { $0.key < $1.key }) {
            rows.append([
                "call", CallCharging.category, market, "", String(line.count), String(line.charged),
                Self.cost(line.cost, unrated: line.unrated, charged: line.charged),
            ])
        }
        rows.append(
            [
                "total", "", "", "", "", "",
                Self.cost(
                    cost.total, unrated: unrated.count + calls.unrated,
                    charged: messages.charged + conversations.charged + calls.charged) + " " + currency,
            ])
        out += Self.table(header: header, rows: rows, rightAligned: [4, 5, 6])
        if calls.failedWithDuration > 0 {
            out += "\n\(calls.failedWithDuration) call(s) ended FAILED with a duration: charged here, as the duration "
            out += "says they were picked up; Meta does not document whether it bills them (docs/calls.md).\n"
        }
        if calls.unrated > 0 {
            out += "\n\(calls.unrated) charged call(s) have no \(currency) calling rate and are not in the total "
            out += "(import the calling card: docs/rates.md).\n"
        }
        if webhookPriced.charged > 0 {
            out += "\n\(webhookPriced.charged) message(s) priced by their webhook's pricing.cost (max price): "
            out += "\(formatMoney(webhookPriced.cost)) \(currency)\n"
        }
        if let forecast {
            let p = forecast.projection
            out += "\nForecast for the month end (day \(p.daysElapsed) of \(p.daysInMonth), same-weekday run rate): "
            out += "cost \(formatMoney(p.cost.estimate)) \(currency) (\(formatMoney(p.cost.low))–"
            out += "\(formatMoney(p.cost.high))), charged \(p.charged.estimate) (\(p.charged.low)–\(p.charged.high)), "
            out += "delivered \(p.delivered.estimate)\n"
            for free in forecast.freeTierLeft {
                out += "  free tier left (\(free.scope)): \(free.left) of \(PricingRules.freeTierSize)\n"
            }
            for tier in forecast.tiers {
                out += "  \(tier.market) \(tier.category): tier \(tier.tier)"
                out += tier.toNextTier.map { ", \($0) to the next tier\n" } ?? ", the last tier\n"
            }
        }
        if !rateCards.isEmpty {
            out += "\nRate cards: " + rateCards.map(\.label).joined(separator: "; ") + "\n"
        }
        if !volumeTiers.isEmpty {
            out += "\nVolume tiers (portfolio count this month; Meta's tier from its tier-update webhooks)\n"
            let tierRows = volumeTiers.map {
                [
                    $0.market, $0.category, String($0.charged), String($0.portfolioCharged), $0.tier ?? "-",
                    $0.metaTier ?? "-",
                ]
            }
            out += Self.table(
                header: ["market", "category", "charged", "portfolio", "tier", "Meta's tier"], rows: tierRows,
                rightAligned: [2, 3])
        }
        if unrated.count > 0 {
            out += "\n\(unrated.count) charged unit(s) have no rate in the rate card and are not in the total:\n"
            for unit in unrated.units {
                out += "  \(unit.count) \(unit.kind) \(unit.category) in \(unit.market)\n"
            }
        }
        return out
    }

    /// A cost for people: never a bare `0` for units that have no rate. "unrated (31)" when none of
    /// the units has one, "1.25 + 4 unrated" when some have.
    static func cost(_ amount: Decimal, unrated: Int, charged: Int) -> String {
        if unrated == 0 { return formatMoney(amount) }
        if unrated == charged { return "unrated (\(unrated))" }
        return "\(formatMoney(amount)) + \(unrated) unrated"
    }

    static func table(header: [String], rows: [[String]], rightAligned: Set<Int>) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func render(_ row: [String]) -> String {
            row.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return rightAligned.contains(index) ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
        }
        return render(header) + rows.map(render).joined()
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
