import Foundation
import WhatsAppWebhook

/// A conversation the month's free tier covers (the store selects the first N by first delivery).
public struct FreeTierConversation: Sendable, Equatable {
    public var day: DayKey
    public var category: String
    public var country: String
    public var phone: String

    public init(day: DayKey, category: String, country: String, phone: String = "") {
        self.day = day
        self.category = category
        self.country = country
        self.phone = phone
    }
}

/// Units sent in the month and not (yet) delivered: `total` of them, `dropped` of which were sent
/// more than 30 days before the report's clock (the rest are pending).
public struct UndeliveredCounts: Sendable, Equatable {
    public var total: Int
    public var dropped: Int

    public init(total: Int, dropped: Int) {
        self.total = total
        self.dropped = dropped
    }
}

/// What volume-tier pricing needs beyond the account's own counts.
public struct VolumeTierInputs: Sendable {
    /// Charged-message cells of every account in the portfolio, this one included, each for the
    /// month in its own time zone: the pools' totals.
    public var portfolioRollups: [RollupRow]
    /// For each pool whose total passes a tier boundary, its charged messages from every account of
    /// the portfolio as runs in delivery order (`VolumeTierOrder`); other pools are priced from
    /// their day counters.
    public var orderedRuns: [TierPoolKey: [VolumeTierPricing.Run]]
    /// Meta's tier-update webhooks for the month, from any account of the portfolio.
    public var updates: [TierUpdate]

    public init(
        portfolioRollups: [RollupRow], orderedRuns: [TierPoolKey: [VolumeTierPricing.Run]] = [:],
        updates: [TierUpdate] = []
    ) {
        self.portfolioRollups = portfolioRollups
        self.orderedRuns = orderedRuns
        self.updates = updates
    }
}

/// Everything a month's report is computed from; gathered by the store, turned into a `Report` here.
public struct ReportInputs: Sendable {
    public var account: Account
    public var month: YearMonth
    public var rollups: [RollupRow]
    public var freeTierConversations: [FreeTierConversation]
    public var undeliveredMessages: UndeliveredCounts
    public var undeliveredConversations: UndeliveredCounts
    public var rates: RateCard
    /// `nil`: the account is its own portfolio and no pool needs delivery order.
    public var volumeTiers: VolumeTierInputs?
    public var webhookPriced: [WebhookPricedMessage]
    /// The month's calls; `nil` when there are none.
    public var calls: CallInputs?
    /// The report's instant when it falls inside the month: the report then forecasts the month.
    public var asOf: Int64?

    public init(
        account: Account, month: YearMonth, rollups: [RollupRow], freeTierConversations: [FreeTierConversation],
        undeliveredMessages: UndeliveredCounts, undeliveredConversations: UndeliveredCounts, rates: RateCard,
        volumeTiers: VolumeTierInputs? = nil, webhookPriced: [WebhookPricedMessage] = [], calls: CallInputs? = nil
    ) {
        self.calls = calls
        self.account = account
        self.month = month
        self.rollups = rollups
        self.freeTierConversations = freeTierConversations
        self.undeliveredMessages = undeliveredMessages
        self.undeliveredConversations = undeliveredConversations
        self.rates = rates
        self.volumeTiers = volumeTiers
        self.webhookPriced = webhookPriced
    }
}
