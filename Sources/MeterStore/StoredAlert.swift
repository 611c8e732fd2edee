import Foundation
import MeterCore

/// An alert as kept: the alert and how its deliveries went.
public struct StoredAlert: Sendable, Equatable {
    public struct Delivery: Sendable, Equatable {
        public var target: AlertTarget
        public var attempts: Int
        public var deliveredAt: Int64?
        /// Given up after the last attempt.
        public var abandoned: Bool
        public var nextAttemptAt: Int64
        public var lastError: String?

        public init(
            target: AlertTarget, attempts: Int, deliveredAt: Int64?, abandoned: Bool, nextAttemptAt: Int64,
            lastError: String?
        ) {
            self.target = target
            self.attempts = attempts
            self.deliveredAt = deliveredAt
            self.abandoned = abandoned
            self.nextAttemptAt = nextAttemptAt
            self.lastError = lastError
        }
    }

    public var alert: Alert
    public var deliveries: [Delivery]

    public init(alert: Alert, deliveries: [Delivery]) {
        self.alert = alert
        self.deliveries = deliveries
    }
}

/// One POST of one alert to one target, claimed by a sender for a while (the lease), so that
/// several instances never send it at the same time.
public struct AlertDelivery: Sendable, Equatable {
    public var alert: Alert
    public var target: AlertTarget
    /// Attempts before this one.
    public var attempts: Int

    public init(alert: Alert, target: AlertTarget, attempts: Int) {
        self.alert = alert
        self.target = target
        self.attempts = attempts
    }

    /// How an attempt ended.
    public enum Outcome: Sendable, Equatable {
        case delivered
        /// Try again at `next`.
        case retry(next: Int64, error: String)
        /// No more attempts.
        case abandoned(error: String)
    }
}

/// Which alerts a reader may list: `nil` fields mean all.
public struct AlertVisibility: Sendable, Equatable {
    public var accounts: [String]?
    public var portfolios: [String]?

    public static let all = AlertVisibility(accounts: nil, portfolios: nil)

    public init(accounts: [String]?, portfolios: [String]?) {
        self.accounts = accounts
        self.portfolios = portfolios
    }

    /// What a token's scope may list: everything; an account's alerts; or a portfolio's accounts'
    /// alerts and its budget's (`accounts` are those the scope reads).
    public init(_ access: AccessScope, readable accounts: [Account]) {
        switch access {
        case .all: self = .all
        case .account(let id): self.init(accounts: [id], portfolios: [])
        case .portfolio(let name): self.init(accounts: accounts.map(\.id), portfolios: [name])
        }
    }
}

/// Budgets' and alerts' columns in the store: targets and thresholds as text.
enum AlertColumns {
    /// What a delivery's outcome writes: `delivered_at`, `next_attempt_at` (kept when nil),
    /// `abandoned` and `last_error`.
    static func outcome(
        _ outcome: AlertDelivery.Outcome, at: Int64
    ) -> (delivered: Int64?, next: Int64?, abandoned: Bool, error: String?) {
        switch outcome {
        case .delivered: (at, nil, false, nil)
        case .retry(let next, let error): (nil, next, false, error)
        case .abandoned(let error): (nil, nil, true, error)
        }
    }

    static func targets(_ targets: [AlertTarget]) -> String {
        String(decoding: (try? JSONEncoder().encode(targets)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func targets(_ text: String) -> [AlertTarget] {
        (try? JSONDecoder().decode([AlertTarget].self, from: Data(text.utf8))) ?? []
    }

    static func alertAt(_ values: [Int]) -> String { values.map(String.init).joined(separator: ",") }
    static func alertAt(_ text: String) -> [Int] { text.split(separator: ",").compactMap { Int($0) } }

    static func alert(_ body: String) -> Alert? { try? JSONDecoder().decode(Alert.self, from: Data(body.utf8)) }
    static func body(_ alert: Alert) -> String { String(decoding: WireJSON.encode(alert), as: UTF8.self) }

    static func budget(
        kind: String, value: String, monthly: String, currency: String, alertAt: String, notify: String,
        createdAt: Int64
    ) -> Budget? {
        guard let scope = Budget.Scope(kind: kind, value: value), let amount = Decimal(string: monthly) else {
            return nil
        }
        return Budget(
            scope: scope, monthly: amount, currency: currency, alertAt: Self.alertAt(alertAt),
            notify: targets(notify), createdAt: createdAt)
    }
}
