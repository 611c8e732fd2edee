// Which stored records a query reads, said as data: a backend turns a selection into its own query
// language without knowing why those records are wanted. The billing rules that choose the
// selections are in `ReportSelections`, so no backend's SQL holds a rule.
//
// Ranges are UTC epoch seconds, half-open. `nil` means "no condition".

/// Counter cells of one account over local days.
public struct RollupSelection: Sendable, Hashable {
    public var account: String
    /// Local days, inclusive (`DayKey`s of the account's time zone).
    public var days: ClosedRange<DayKey>
    public var metric: RollupMetric?
    public var categories: [String]?
    /// The half-hour counters (each row's `key.halfHour` set) instead of the day counters.
    public var halfHourly: Bool

    public init(
        account: String, days: ClosedRange<DayKey>, metric: RollupMetric? = nil, categories: [String]? = nil,
        halfHourly: Bool = false
    ) {
        self.account = account
        self.days = days
        self.metric = metric
        self.categories = categories
        self.halfHourly = halfHourly
    }
}

/// Message records of one account.
public struct MessageSelection: Sendable, Hashable {
    public var account: String
    /// Delivered in this range.
    public var delivered: Range<Int64>?
    /// Sent in this range.
    public var sent: Range<Int64>?
    /// Neither delivered nor failed (yet).
    public var awaitingDelivery = false
    /// Whether messages to groups are included (their deliveries are per-member records).
    public var includesGroupMessages = true
    /// The webhook's `pricing.category` is one of these, in this order (backends may rely on the
    /// order to match an index condition spelled the same way).
    public var pricingCategories: [String]?
    /// Only messages whose webhook stated their cost (`pricing.cost`).
    public var webhookPricedOnly = false

    public init(account: String) {
        self.account = account
    }
}

/// Conversation records of one account, in order of first delivery (then conversation id, so that
/// equal times still give one order).
public struct ConversationSelection: Sendable, Hashable {
    public var account: String
    /// First delivered in this range.
    public var firstDelivered: Range<Int64>?
    /// First sent in this range.
    public var firstSent: Range<Int64>?
    /// Not delivered (yet).
    public var undeliveredOnly = false
    /// Leaves out free entry point conversations.
    public var excludesFreeEntryPoints = false
    public var categories: [String]?
    /// At most this many, the first in order.
    public var limit: Int?

    public init(account: String) {
        self.account = account
    }
}
