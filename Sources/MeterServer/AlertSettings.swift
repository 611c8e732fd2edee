import Foundation
import MeterCore

/// How `serve` raises and sends alerts (`WAMETER_ALERT_*`).
public struct AlertSettings: Sendable, Equatable {
    /// Signs every JSON alert (`X-Wameter-Signature-256`). Without it, JSON deliveries wait (kept in
    /// the outbox) and Slack ones are sent.
    public var secret: String?
    /// Seconds between evaluations (and between passes over the outbox).
    public var interval: Int64
    /// Seconds without any event on an account before "webhooks stopped"; `nil`: never.
    public var silenceAfter: Int64?
    /// Differing cells a reconciliation may find (beyond Meta's lag) before an alert; `nil`: never.
    public var driftCells: Int?
    /// Where every alert goes, besides the notify targets of the budgets covering it.
    public var notify: [AlertTarget]
    /// The first pause before a failed delivery is tried again; each next one doubles, up to 6 hours.
    public var retryBase: Int64
    /// Attempts before a delivery is given up (and listed as abandoned).
    public var attempts: Int

    public init(
        secret: String? = nil, interval: Int64 = 60, silenceAfter: Int64? = nil, driftCells: Int? = 0,
        notify: [AlertTarget] = [], retryBase: Int64 = 30, attempts: Int = 12
    ) {
        self.secret = secret
        self.interval = interval
        self.silenceAfter = silenceAfter
        self.driftCells = driftCells
        self.notify = notify
        self.retryBase = retryBase
        self.attempts = attempts
    }

    /// The pause after `attempts` failed attempts.
    public func pause(after attempts: Int) -> Int64 {
        min(6 * 3_600, retryBase << min(attempts - 1, 20))
    }

    /// Reads `WAMETER_ALERT_SECRET`, `WAMETER_ALERT_INTERVAL`, `WAMETER_ALERT_SILENCE_MINUTES`,
    /// `WAMETER_ALERT_DRIFT_CELLS` (`off` to disable), `WAMETER_ALERT_NOTIFY` and
    /// `WAMETER_ALERT_NOTIFY_SLACK` (comma-separated URLs), `WAMETER_ALERT_RETRY_SECONDS`.
    static func load(_ value: (String) -> String?, problems: inout [String]) -> AlertSettings {
        var settings = AlertSettings(secret: value("WAMETER_ALERT_SECRET"))
        func seconds(_ name: String, unit: Int64, range: ClosedRange<Int64>) -> Int64? {
            guard let text = value(name) else { return nil }
            guard let number = Int64(text), range.contains(number) else {
                problems.append("\(name) \"\(text)\" is not a number from \(range.lowerBound) to \(range.upperBound)")
                return nil
            }
            return number * unit
        }
        settings.interval = seconds("WAMETER_ALERT_INTERVAL", unit: 1, range: 1...86_400) ?? settings.interval
        settings.silenceAfter = seconds("WAMETER_ALERT_SILENCE_MINUTES", unit: 60, range: 1...100_000)
        settings.retryBase = seconds("WAMETER_ALERT_RETRY_SECONDS", unit: 1, range: 1...86_400) ?? settings.retryBase
        if let text = value("WAMETER_ALERT_DRIFT_CELLS") {
            if text.lowercased() == "off" {
                settings.driftCells = nil
            } else if let cells = Int(text), cells >= 0 {
                settings.driftCells = cells
            } else {
                problems.append("WAMETER_ALERT_DRIFT_CELLS \"\(text)\" is not a number of cells or off")
            }
        }
        for (name, format) in [
            ("WAMETER_ALERT_NOTIFY", AlertTarget.Format.json), ("WAMETER_ALERT_NOTIFY_SLACK", .slack),
        ] {
            for url in (value(name) ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) })
            where !url.isEmpty {
                if let problem = AlertTarget.urlProblem(url) {
                    problems.append("\(name): \(problem)")
                } else {
                    settings.notify.append(AlertTarget(url: url, format: format))
                }
            }
        }
        return settings
    }
}
