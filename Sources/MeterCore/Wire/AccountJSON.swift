/// An account as JSON (`GET /api/v1/accounts`).
public struct AccountJSON: Sendable, Equatable, Codable {
    public var id: String
    public var name: String?
    public var timezone: String
    public var currency: String
    public var portfolio: String?
    public var autoCreated: Bool

    enum CodingKeys: String, CodingKey {
        case id, name, timezone, currency, portfolio
        case autoCreated = "auto_created"
    }

    public init(_ account: Account) {
        id = account.id
        name = account.name
        timezone = account.timezone
        currency = account.currency
        portfolio = account.portfolio
        autoCreated = account.autoCreated
    }
}
