/// The dates on which Meta's pricing rules changed, each named once (reference §1). The billing
/// rules, rating and the traffic simulator read them from here; no other code spells these dates.
public enum PricingEra {
    /// 2022-02-01: conversation-based pricing (CBP) replaces notification-based pricing (NBP), with
    /// the 2022 categories (business- and user-initiated) and 1,000 free conversations a month.
    public static let conversationPricing = EraStart(2022_02_01)
    /// 2023-06-01: conversations take the four categories (marketing, utility, authentication,
    /// service); the monthly free tier covers service conversations only.
    public static let conversationCategories = EraStart(2023_06_01)
    /// 2024-11-01: every service conversation is free.
    public static let freeService = EraStart(2024_11_01)
    /// 2025-07-01: per-message pricing (PMP): each delivered template is the charged unit.
    public static let perMessagePricing = EraStart(2025_07_01)
    /// 2026-10-01: the service free tier (1,000 messages per phone number and month) and the new
    /// meaning of `pricing.type`; service is rated at the utility rate where a card has no service
    /// column (reference §7.6).
    public static let serviceFreeTier = EraStart(2026_10_01)
}

/// The first day of an era, in the three forms the rules compare with: a calendar day (rate
/// effective dates, local days), a billing month, and the UTC instant the day starts (for placing a
/// message without pricing by the date of its first status).
public struct EraStart: Sendable, Hashable {
    public let day: DayKey
    public let month: YearMonth
    /// 00:00 UTC of `day`, in epoch seconds.
    public let utc: Int64

    init(_ day: DayKey) {
        self.day = day
        month = YearMonth(containing: day)
        utc = BillingCalendar.daysSinceEpoch(of: day) * 86_400
    }
}
