import Foundation

/// A difference between Meta's analytics and wameter's ledger in one cell, with the likeliest
/// cause where one can be named.
public struct Drift: Sendable, Equatable {
    /// What differs in the cell.
    public enum Kind: String, Sendable, CaseIterable {
        /// Messages, conversations or calls.
        case units
        case cost
        /// The volume tier the units were priced in.
        case tier
    }

    /// Why the two sides likely differ.
    public enum Cause: String, Sendable, CaseIterable {
        /// wameter is short on a day by much more than noise: webhooks for that day did not arrive.
        case webhooksMissing = "webhooks_missing"
        /// wameter has more on today or yesterday: Meta's analytics lag up to a day.
        case metaLagging = "meta_lagging"
        /// Meta shows nothing on a day wameter has units on: its answer does not cover the day.
        case metaNoData = "meta_no_data"
        /// The same units in another country: the recipient number was mapped differently.
        case marketMapping = "market_mapping"
        /// The same units in another category (e.g. a template Meta re-categorised).
        case category
        /// Free-tier units Meta charged or the other way round (CBP's 1,000 conversations, the
        /// 1,000 free service messages per number from 2026-10-01).
        case freeTier = "free_tier"
        /// The same units with another pricing type (regular, free customer service, free entry point).
        case pricingType = "pricing_type"
        /// The same units under another business phone number.
        case phoneNumber = "phone_number"
        /// Meta shows nothing for a phone number wameter has: Meta's analytics only include numbers
        /// currently in the account.
        case phoneNotInAccount = "phone_not_in_account"
        /// Priced in another volume tier: the portfolio's volume includes accounts or partners
        /// wameter does not see, or Meta's tier differs from the card's.
        case volumeTier = "volume_tier"
        /// Meta's cost matches another rate card's rate.
        case rateCard = "rate_card"
        /// wameter has no rate for some of the cell's units.
        case noRate = "no_rate"
        /// None of the above fits.
        case unexplained
    }

    public var field: GraphAnalyticsRequest.Field
    public var key: AnalyticsCellKey
    /// Meta's figures; `nil` when Meta has no data point for the cell.
    public var meta: AnalyticsFigures?
    /// wameter's figures; `nil` when wameter has nothing in the cell.
    public var wameter: AnalyticsFigures?
    public var kinds: [Kind]
    public var cause: Cause
    /// The cause in words, with the figures that point to it.
    public var explanation: String

    public init(
        field: GraphAnalyticsRequest.Field, key: AnalyticsCellKey, meta: AnalyticsFigures?,
        wameter: AnalyticsFigures?, kinds: [Kind], cause: Cause, explanation: String
    ) {
        self.field = field
        self.key = key
        self.meta = meta
        self.wameter = wameter
        self.kinds = kinds
        self.cause = cause
        self.explanation = explanation
    }

    /// Meta's units minus wameter's.
    public var unitGap: Int { (meta?.units ?? 0) - (wameter?.units ?? 0) }
}

/// One account's month checked against Meta's analytics.
public struct Reconciliation: Sendable, Equatable {
    /// One analytics field's totals on both sides.
    public struct FieldTotals: Sendable, Equatable {
        public var field: GraphAnalyticsRequest.Field
        public var metaUnits: Int
        /// `nil` when Meta showed no cost.
        public var metaCost: Decimal?
        public var wameterUnits: Int
        public var wameterCost: Decimal
        /// wameter's units without a rate (its cost leaves them out).
        public var wameterUnrated: Int
        /// Whether cost was compared (Meta showed it).
        public var costCompared: Bool
        /// Meta's data points read, over all pages.
        public var points: Int
        public var pages: Int

        public init(
            field: GraphAnalyticsRequest.Field, metaUnits: Int, metaCost: Decimal?, wameterUnits: Int,
            wameterCost: Decimal, wameterUnrated: Int, costCompared: Bool, points: Int, pages: Int
        ) {
            self.field = field
            self.metaUnits = metaUnits
            self.metaCost = metaCost
            self.wameterUnits = wameterUnits
            self.wameterCost = wameterCost
            self.wameterUnrated = wameterUnrated
            self.costCompared = costCompared
            self.points = points
            self.pages = pages
        }
    }

    public var account: String
    public var month: YearMonth
    public var timezone: String
    public var currency: String
    /// `graph` (fetched from the Graph API) or `file` (saved responses).
    public var source: String
    public var tolerance: CostTolerance
    /// Unix seconds when the comparison ran.
    public var checkedAt: Int64
    public var fields: [FieldTotals]
    /// Sorted by field, day and cell.
    public var drifts: [Drift]
    /// Things the reader should know that are not differences (cost hidden, a field Meta refused).
    public var notes: [String]

    public init(
        account: String, month: YearMonth, timezone: String, currency: String, source: String,
        tolerance: CostTolerance, checkedAt: Int64, fields: [FieldTotals], drifts: [Drift], notes: [String]
    ) {
        self.account = account
        self.month = month
        self.timezone = timezone
        self.currency = currency
        self.source = source
        self.tolerance = tolerance
        self.checkedAt = checkedAt
        self.fields = fields
        self.drifts = drifts
        self.notes = notes
    }

    /// Nothing differs beyond the tolerance.
    public var agrees: Bool { drifts.isEmpty }
}
