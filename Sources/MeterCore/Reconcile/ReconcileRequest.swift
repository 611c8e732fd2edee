/// What a reconciliation asks Meta for one account's month (reference §9): the field that counts
/// the month's billed unit, by day and by every dimension that can explain a difference, and, for
/// per-message months, voice calls.
public enum ReconcileRequest {
    /// Per-message months ask `pricing_analytics` and `call_analytics`; earlier months
    /// `conversation_analytics`. `start`/`end` are the month's bounds in the account's time zone.
    /// `cost: false` leaves `COST` out of `metric_types`, for accounts Meta hides cost from.
    public static func fields(month: YearMonth, calendar: BillingCalendar, cost: Bool = true) -> [GraphField] {
        let range = calendar.range(of: month)
        func field(_ name: GraphAnalyticsRequest.Field, metrics: [String], dimensions: [String]) -> GraphField {
            GraphField(
                name: name.rawValue,
                modifiers: [
                    "start": [String(range.lowerBound)], "end": [String(range.upperBound)], "granularity": ["DAILY"],
                    "metric_types": cost ? ["COST"] + metrics : metrics, "dimensions": dimensions,
                ])
        }
        if month.firstDay < PricingEra.perMessagePricing.day {
            return [
                field(
                    .conversationAnalytics, metrics: ["CONVERSATION"],
                    dimensions: ["CONVERSATION_CATEGORY", "CONVERSATION_TYPE", "COUNTRY", "PHONE"])
            ]
        }
        return [
            field(
                .pricingAnalytics, metrics: ["VOLUME"],
                dimensions: ["COUNTRY", "PHONE", "PRICING_CATEGORY", "PRICING_TYPE", "TIER"]),
            field(.callAnalytics, metrics: ["COUNT"], dimensions: ["COUNTRY", "PHONE", "DIRECTION"]),
        ]
    }
}
