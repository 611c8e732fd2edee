/// What an API token (or a dashboard session signed in with one) may read: every account, one
/// account, or the accounts of one business portfolio. Portfolio membership is read at each
/// request, so an account moved into the portfolio later becomes readable, and one moved out stops
/// being readable, without a new token.
public enum AccessScope: Sendable, Hashable, CustomStringConvertible {
    case all
    case account(String)
    case portfolio(String)

    public func admits(_ account: Account) -> Bool {
        switch self {
        case .all: true
        case .account(let id): account.id == id
        case .portfolio(let name): account.portfolio == name
        }
    }

    /// How the scope is stored and listed: `all`, `account`, `portfolio`.
    public var kind: String {
        switch self {
        case .all: "all"
        case .account: "account"
        case .portfolio: "portfolio"
        }
    }

    /// The account id or portfolio name; nil for `all`.
    public var value: String? {
        switch self {
        case .all: nil
        case .account(let id): id
        case .portfolio(let name): name
        }
    }

    /// The scope as stored (`kind`, `value`); nil for a kind this build does not know.
    public init?(kind: String, value: String?) {
        switch (kind, value) {
        case ("all", _): self = .all
        case ("account", let id?): self = .account(id)
        case ("portfolio", let name?): self = .portfolio(name)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .all: "all accounts"
        case .account(let id): "account \(id)"
        case .portfolio(let name): "portfolio \(name)"
        }
    }
}
