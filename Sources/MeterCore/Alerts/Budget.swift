import Foundation

/// Where an alert is POSTed: wameter's signed JSON, or a Slack-compatible `{"text": …}` (Slack's
/// incoming webhooks, and the chat tools that accept their payload).
public struct AlertTarget: Sendable, Hashable, Codable {
    public enum Format: String, Sendable, Codable, CaseIterable {
        case json, slack
    }

    public var url: String
    public var format: Format

    public init(url: String, format: Format = .json) {
        self.url = url
        self.format = format
    }

    /// Why a notify URL cannot be used, or `nil`: only `http` and `https` with a host.
    public static func urlProblem(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty
        else { return "\(echoed(text)) is not an http(s) URL" }
        return nil
    }

    /// The URL's host alone: what lists show (a Slack webhook URL's path is its secret).
    public var host: String { URL(string: url)?.host ?? "?" }
}

/// A monthly spending limit on an account or a portfolio, with the shares of it that raise an alert.
public struct Budget: Sendable, Equatable {
    public enum Scope: Sendable, Hashable {
        case account(String)
        case portfolio(String)

        public var kind: String {
            switch self {
            case .account: "account"
            case .portfolio: "portfolio"
            }
        }

        public var value: String {
            switch self {
            case .account(let id): id
            case .portfolio(let name): name
            }
        }

        public init?(kind: String, value: String) {
            switch kind {
            case "account": self = .account(value)
            case "portfolio": self = .portfolio(value)
            default: return nil
            }
        }

        /// Whether the scope covers an account.
        public func covers(_ account: Account) -> Bool {
            switch self {
            case .account(let id): account.id == id
            case .portfolio(let name): account.portfolio == name
            }
        }
    }

    public var scope: Scope
    /// The limit per billing month, in `currency`.
    public var monthly: Decimal
    public var currency: String
    /// Percentages of `monthly` that raise an alert when spend or the forecast reaches them, ascending.
    public var alertAt: [Int]
    public var notify: [AlertTarget]
    public var createdAt: Int64

    public static let defaultAlertAt = [50, 80, 100]

    public init(
        scope: Scope, monthly: Decimal, currency: String, alertAt: [Int] = defaultAlertAt, notify: [AlertTarget] = [],
        createdAt: Int64
    ) {
        self.scope = scope
        self.monthly = monthly
        self.currency = currency
        self.alertAt = Array(Set(alertAt)).sorted()
        self.notify = notify
        self.createdAt = createdAt
    }

    /// `50,80,100` as percentages (1 to 1000); `nil` with a reason otherwise.
    public static func alertAt(_ text: String) -> Result<[Int], BudgetProblem> {
        var found: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "%", with: "")
            guard let value = Int(trimmed), (1...1_000).contains(value) else {
                return .failure(
                    BudgetProblem("--alert-at takes percentages from 1 to 1000, e.g. 50,80,100; got \(echoed(text))"))
            }
            found.append(value)
        }
        return found.isEmpty ? .failure(BudgetProblem("--alert-at needs at least one percentage")) : .success(found)
    }
}

/// A budget setting that cannot be used, in words.
public struct BudgetProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
