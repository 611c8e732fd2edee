import Foundation

/// A charged message whose webhook says what it costs: `pricing.cost` on Marketing Messages API
/// deliveries with a max price (reference §7.8). Meta charges the max price or less, so this amount
/// replaces the card's rate, which would over-state the cost.
public struct WebhookPricedMessage: Sendable, Equatable {
    public var day: DayKey
    public var category: String
    public var country: String
    public var phone: String
    public var amount: Decimal
    /// The half-hour it was delivered in (`RollupKey.halfHour`), for the insights' `half_hour`.
    public var halfHour: Int64

    public init(
        day: DayKey, category: String, country: String, phone: String = "", amount: Decimal, halfHour: Int64 = 0
    ) {
        self.day = day
        self.category = category
        self.country = country
        self.phone = phone
        self.amount = amount
        self.halfHour = halfHour
    }

    /// The priced message a stored record makes, or `nil` when the card prices it instead: it is not
    /// charged, carries no cost, states another currency (amounts are never converted), or is in a
    /// volume-tier category (whose price depends on its place in the month, not on the webhook).
    public static func of(_ message: MessageRecord, currency: String, days: DayKeyCache) -> WebhookPricedMessage? {
        guard let amount = message.costAmount, let delivered = message.deliveredAt,
            message.costCurrency.map({ $0.uppercased() == currency }) ?? true,
            TierPoolKey.poolCategory(of: message.category) == nil, PricingRules.isChargedMessage(message)
        else { return nil }
        return WebhookPricedMessage(
            day: days.day(of: delivered), category: message.category,
            country: message.recipientCountry, phone: message.phoneNumberId ?? "", amount: amount,
            halfHour: RollupKey.halfHour(of: delivered))
    }
}
