import WhatsAppWebhook

/// The records a month's report is computed from, as selections. The rules are here, in one place;
/// `ReportPlan` (MeterStore) reads them through any backend.
public enum ReportSelections {
    /// The conversations the month's free tier covers: the first N by first delivery, free entry
    /// points skipped (they are free anyway), only service ones from 2023-06 (reference §4.3, §13).
    /// `nil` when the month's free tier is not "the first N".
    public static func freeTierConversations(
        account: String, month: YearMonth, range: Range<Int64>
    ) -> ConversationSelection? {
        guard case .first(let limit, let serviceOnly) = PricingRules.conversationFreeTier(for: month) else {
            return nil
        }
        var selection = ConversationSelection(account: account)
        selection.firstDelivered = range
        selection.excludesFreeEntryPoints = true
        selection.categories = serviceOnly ? [PricingCategory.service] : nil
        selection.limit = limit
        return selection
    }

    /// Messages sent in `sent` and not delivered: pending, or dropped once
    /// `PricingRules.dropAfterSeconds` have passed. Group messages are left out: their deliveries
    /// are the per-member records.
    public static func undeliveredMessages(account: String, sent: Range<Int64>) -> MessageSelection {
        var selection = MessageSelection(account: account)
        selection.sent = sent
        selection.awaitingDelivery = true
        selection.includesGroupMessages = false
        return selection
    }

    /// Conversations first sent in `sent` and never delivered.
    public static func undeliveredConversations(account: String, sent: Range<Int64>) -> ConversationSelection {
        var selection = ConversationSelection(account: account)
        selection.firstSent = sent
        selection.undeliveredOnly = true
        return selection
    }

    /// The sent-time ranges of a month's undelivered units: all of them, and those old enough to be
    /// dropped by `now` (sent at or before `now - dropAfterSeconds`).
    public static func undeliveredRanges(
        month range: Range<Int64>, now: Int64
    ) -> (all: Range<Int64>, dropped: Range<Int64>) {
        let cutoff = now - PricingRules.dropAfterSeconds
        let droppedEnd = max(range.lowerBound, min(range.upperBound, cutoff + 1))
        return (range, range.lowerBound..<droppedEnd)
    }

    /// Messages delivered in `delivered` that may count toward a volume-tier pool.
    public static func tieredMessages(account: String, delivered: Range<Int64>) -> MessageSelection {
        var selection = MessageSelection(account: account)
        selection.delivered = delivered
        selection.pricingCategories = TierPoolKey.tieredCategories.map(\.category)
        return selection
    }

    /// Messages delivered in `delivered` whose webhook stated their price (reference §7.8).
    public static func webhookPricedMessages(account: String, delivered: Range<Int64>) -> MessageSelection {
        var selection = MessageSelection(account: account)
        selection.delivered = delivered
        selection.webhookPricedOnly = true
        return selection
    }

    /// The same cells by UTC half-hour on some of the days, for the pools that pass a tier boundary
    /// (`VolumeTierOrder`).
    public static func tieredChargedHalfHours(account: String, days: ClosedRange<DayKey>) -> RollupSelection {
        RollupSelection(
            account: account, days: days, metric: .messageCharged,
            categories: TierPoolKey.tieredCategories.map(\.category), halfHourly: true)
    }

    /// A portfolio's tier-counted charged cells of one account for a month (its own local days).
    public static func tieredChargedCells(account: String, month: YearMonth) -> RollupSelection {
        RollupSelection(
            account: account, days: month.firstDay...month.lastPossibleDay, metric: .messageCharged,
            categories: TierPoolKey.tieredCategories.map(\.category))
    }
}
