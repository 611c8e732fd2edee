import Crypto
import Foundation

/// Something wameter tells its users about once: a budget threshold reached by spend or by the
/// month-end forecast, webhooks that stopped arriving, unrated units piling up, a reconciliation
/// that found differences. Its `id` names the occasion (`budget-spend:account:A:2026-11:80`), so
/// raising the same alert twice is one alert.
public struct Alert: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case budgetSpend = "budget_spend"
        case budgetForecast = "budget_forecast"
        case webhooksStopped = "webhooks_stopped"
        case unratedRising = "unrated_rising"
        case reconciliationDrift = "reconciliation_drift"
    }

    public var id: String
    public var kind: Kind
    public var account: String?
    public var portfolio: String?
    /// The billing month it concerns, `YYYY-MM`.
    public var month: String?
    public var raisedAt: Int64
    /// One sentence for people.
    public var message: String
    /// The figures behind it (money as decimal strings).
    public var figures: [String: String]

    public init(
        id: String, kind: Kind, account: String? = nil, portfolio: String? = nil, month: String? = nil,
        raisedAt: Int64, message: String, figures: [String: String] = [:]
    ) {
        self.id = id
        self.kind = kind
        self.account = account
        self.portfolio = portfolio
        self.month = month
        self.raisedAt = raisedAt
        self.message = message
        self.figures = figures
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, account, portfolio, month, message, figures
        case raisedAt = "raised_at"
    }

    /// The body POSTed to a target: the alert's JSON, or Slack's `{"text": …}`.
    public func payload(for format: AlertTarget.Format) -> Data {
        switch format {
        case .json:
            return WireJSON.encode(self)
        case .slack:
            let scope = account.map { "account \($0)" } ?? portfolio.map { "portfolio \($0)" } ?? "wameter"
            return WireJSON.encode(["text": "wameter · \(scope): \(message)"])
        }
    }
}

/// The signature of an alert's body: `X-Wameter-Signature-256: sha256=<hex HMAC-SHA256 of the body
/// keyed by WAMETER_ALERT_SECRET>`, as Meta signs webhooks, so a receiver verifies it the same way.
public enum AlertSignature {
    public static let header = "X-Wameter-Signature-256"

    public static func value(for body: Data, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}
