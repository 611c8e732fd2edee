import WhatsAppWebhook

/// A WhatsApp Business Account (WABA) as wameter meters it: its id is `entry[].id` in webhooks.
public struct Account: Sendable, Equatable, Codable {
    public var id: String
    public var name: String?
    /// IANA time zone of the WABA: billing months, days and free tiers are computed in it.
    public var timezone: String
    /// ISO 4217 currency the WABA is billed in; costs are never converted.
    public var currency: String
    /// Business portfolio for volume tiers; an account without one is its own portfolio.
    public var portfolio: String?
    /// Created because a webhook named it before `accounts add` did (UTC and USD until corrected).
    public var autoCreated: Bool

    public init(
        id: String, name: String? = nil, timezone: String, currency: String, portfolio: String? = nil,
        autoCreated: Bool = false
    ) {
        self.id = id
        self.name = name
        self.timezone = timezone
        self.currency = currency
        self.portfolio = portfolio
        self.autoCreated = autoCreated
    }

    /// The account created for a webhook whose WABA was never added.
    public static func placeholder(id: String) -> Account {
        Account(id: id, timezone: "UTC", currency: "USD", autoCreated: true)
    }

    /// Checks an account as it is about to be stored: its id follows `InputRules` (the same rule as
    /// `entry[].id` in webhooks, so every stored account can be named in a webhook, a report and a
    /// URL), a known IANA zone and a three-letter currency code.
    public static func validate(id: String, timezone: String, currency: String) -> [String] {
        var problems: [String] = []
        if let problem = InputRules.accountIdProblem(id) {
            problems.append("account id \"\(id)\" \(problem)")
        }
        if BillingCalendar(timezoneIdentifier: timezone) == nil {
            problems.append("unknown time zone \"\(timezone)\" (use an IANA name such as Asia/Kolkata)")
        }
        if currency.count != 3 || !currency.allSatisfy({ $0.isASCII && $0.isUppercase }) {
            problems.append("currency \"\(currency)\" is not an ISO 4217 code such as USD")
        }
        return problems
    }
}
