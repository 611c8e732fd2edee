import Foundation

extension Reconciliation {
    /// The drift report as CSV: one line per differing cell, in the JSON's field names.
    public func csv() -> String {
        let header = [
            "field", "day", "phone_number", "country", "category", "type", "meta_units", "wameter_units",
            "unit_gap", "meta_cost", "wameter_cost", "meta_tiers", "wameter_tiers", "wameter_unrated", "kinds",
            "cause", "explanation",
        ]
        var lines = [header.joined(separator: ",")]
        for drift in drifts {
            let fields: [String] = [
                drift.field.rawValue, DayKeys.format(drift.key.day), drift.key.phone, drift.key.country,
                drift.key.category, drift.key.type, String(drift.meta?.units ?? 0), String(drift.wameter?.units ?? 0),
                String(drift.unitGap), drift.meta?.cost.map(formatMoney) ?? "",
                drift.wameter?.cost.map(formatMoney) ?? "", (drift.meta?.tiers ?? []).joined(separator: " "),
                (drift.wameter?.tiers ?? []).joined(separator: " "), String(drift.wameter?.unrated ?? 0),
                drift.kinds.map(\.rawValue).joined(separator: " "), drift.cause.rawValue, drift.explanation,
            ]
            lines.append(fields.map(CSV.escape).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The drift report for a person: both sides' totals; the differences by cause; the first
    /// `cellLimit` differing cells (the CSV and JSON list all); then each cause in words, with the
    /// figures that point to it; then notes.
    public func table(cellLimit: Int = 40, render: (_ header: [String], _ rows: [[String]]) -> String) -> String {
        var text = "Reconciliation of account \(account), \(month) (\(timezone), \(currency)) with Meta's analytics"
        text += source == "file" ? " (saved responses)\n\n" : " (Graph API)\n\n"
        text += render(
            ["field", "Meta", "wameter", "Meta cost", "wameter cost"],
            fields.map { line in
                [
                    line.field.rawValue, String(line.metaUnits), String(line.wameterUnits),
                    line.metaCost.map(formatMoney) ?? "not shown",
                    formatMoney(line.wameterCost)
                        + (line.wameterUnrated > 0 ? " + \(line.wameterUnrated) unrated" : ""),
                ]
            })
        guard !drifts.isEmpty else {
            text += "\nNo differences (volumes exact, cost within \(tolerance)).\n"
            return text + notesText
        }
        let cells = drifts.count == 1 ? "1 cell differs" : "\(drifts.count) cells differ"
        text += "\n\(cells) (volumes exact, cost within \(tolerance)):\n\n"
        var causes: [Drift.Cause] = []
        for drift in drifts where !causes.contains(drift.cause) { causes.append(drift.cause) }
        text += render(
            ["cause", "cells", "Meta", "wameter", "gap"],
            causes.map { cause in
                let group = drifts.filter { $0.cause == cause }
                let meta = group.reduce(0) { $0 + ($1.meta?.units ?? 0) }
                let wameter = group.reduce(0) { $0 + ($1.wameter?.units ?? 0) }
                return [
                    cause.rawValue, String(group.count), String(meta), String(wameter), Self.signed(meta - wameter),
                ]
            })
        text += "\n"
        text += render(
            ["day", "field", "phone", "country", "category", "type", "Meta", "wameter", "gap", "cause"],
            drifts.prefix(cellLimit).map { drift in
                let units = { (figures: AnalyticsFigures?) -> String in
                    guard let figures else { return "-" }
                    return String(figures.units) + (figures.cost.map { " (\(formatMoney($0)))" } ?? "")
                }
                return [
                    DayKeys.format(drift.key.day), drift.field.rawValue, drift.key.phone, drift.key.country,
                    drift.key.category, drift.key.type, units(drift.meta), units(drift.wameter),
                    Self.signed(drift.unitGap), drift.cause.rawValue,
                ]
            })
        if drifts.count > cellLimit {
            text += "… and \(drifts.count - cellLimit) more cells; --format csv or json lists every one.\n"
        }
        text += "\nWhy:\n"
        for cause in causes {
            var seen: [String] = []
            for drift in drifts where drift.cause == cause && !seen.contains(drift.explanation) {
                seen.append(drift.explanation)
            }
            for explanation in seen.prefix(3) { text += "- \(cause.rawValue): \(explanation)\n" }
            if seen.count > 3 { text += "  (and \(seen.count - 3) more like these)\n" }
        }
        return text + notesText
    }

    private var notesText: String {
        notes.isEmpty ? "" : "\nNotes:\n" + notes.map { "- \($0)\n" }.joined()
    }

    private static func signed(_ value: Int) -> String { value > 0 ? "+\(value)" : String(value) }
}
