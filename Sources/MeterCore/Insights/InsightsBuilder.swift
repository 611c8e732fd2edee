import Foundation
import WhatsAppWebhook

/// What an insights query is computed from, gathered by the store: each queried account's inputs
/// for every billing month its period touches (pricing needs whole months: the free tier and the
/// volume tiers count from the month's start), and its undelivered units sent in the period.
public struct InsightsInputs: Sendable {
    public struct Undelivered: Sendable, Equatable {
        public var messages: UndeliveredCounts
        public var conversations: UndeliveredCounts

        public init(messages: UndeliveredCounts, conversations: UndeliveredCounts) {
            self.messages = messages
            self.conversations = conversations
        }
    }

    public var accounts: [Account]
    public var months: [ReportInputs]
    /// By account id.
    public var undelivered: [String: Undelivered]
    /// The display numbers the accounts' phone numbers were seen with.
    public var phoneNumbers: [BusinessPhoneNumber]

    public init(
        accounts: [Account], months: [ReportInputs], undelivered: [String: Undelivered],
        phoneNumbers: [BusinessPhoneNumber] = []
    ) {
        self.accounts = accounts
        self.months = months
        self.undelivered = undelivered
        self.phoneNumbers = phoneNumbers
    }
}

/// Answers an insights query. Each month is priced exactly as its report is (`ReportBuilder`), day by
/// day, and the query keeps the days of its period, so the insights for a calendar month are that
/// month's report, and any breakdown sums to the total. Pure, like the report.
public enum InsightsBuilder {
    public static func build(
        _ query: InsightsQuery, _ inputs: InsightsInputs, markets: MarketTable = .standard
    ) -> InsightsResult {
        var rows: [RowKey: InsightsMetrics] = [:]
        var totals: [String: InsightsMetrics] = [:]
        let days = query.from...query.to
        let filtersOnlyAccounts = query.filters.values.keys.allSatisfy { $0 == .account }
        var periods: [DayKey: String] = [:]
        // Accounts are filtered whole, before pricing; phone numbers may be named by display number.
        var filterValues = query.filters.values
        filterValues[.account] = nil
        if let phones = filterValues[.phone] {
            filterValues[.phone] = BusinessPhoneNumber.ids(named: phones, in: inputs.phoneNumbers)
        }
        let filters = filterValues.sorted { $0.key < $1.key }

        for month in inputs.months {
            let account = month.account
            guard query.filters.keeps(.account, account.id) else { continue }
            let priced = ReportBuilder.price(month, markets: markets)
            forEachAtom(of: month, priced: priced, days: days, markets: markets) { atom, metrics in
                for (dimension, kept) in filters where !kept.contains(atom.value(of: dimension, account: account.id)) {
                    return
                }
                let period = periods[atom.day] ?? query.period(of: atom.day)
                periods[atom.day] = period
                let key = RowKey(
                    period: period, currency: account.currency,
                    values: query.dimensions.map { atom.value(of: $0, account: account.id) })
                rows[key, default: InsightsMetrics()].add(metrics)
                totals[account.currency, default: InsightsMetrics()].add(metrics)
            }
        }

        var undelivered: [String: InsightsInputs.Undelivered] = [:]
        for account in inputs.accounts where query.filters.keeps(.account, account.id) {
            // An account with nothing in the period still shows its currency's total, at zero.
            if totals[account.currency] == nil { totals[account.currency] = InsightsMetrics() }
            guard let counts = inputs.undelivered[account.id] else { continue }
            var sum =
                undelivered[account.currency]
                ?? .init(
                    messages: UndeliveredCounts(total: 0, dropped: 0),
                    conversations: UndeliveredCounts(total: 0, dropped: 0))
            sum.messages.total += counts.messages.total
            sum.messages.dropped += counts.messages.dropped
            sum.conversations.total += counts.conversations.total
            sum.conversations.dropped += counts.conversations.dropped
            undelivered[account.currency] = sum
        }

        return InsightsResult(
            query: query, accounts: inputs.accounts.map(\.id).filter { query.filters.keeps(.account, $0) },
            totals: totals.sorted { $0.key < $1.key }.map { currency, metrics in
                InsightsResult.Total(
                    currency: currency, metrics: metrics,
                    undeliveredMessages: filtersOnlyAccounts ? undelivered[currency]?.messages : nil,
                    undeliveredConversations: filtersOnlyAccounts ? undelivered[currency]?.conversations : nil)
            },
            rows: rows.filter { !$0.value.isZero }.sorted { $0.key < $1.key }.map {
                InsightsResult.Row(
                    period: $0.key.period, currency: $0.key.currency, values: $0.key.values, metrics: $0.value)
            },
            displayNumbers: BusinessPhoneNumber.displayNumbers(inputs.phoneNumbers))
    }

    struct RowKey: Hashable, Comparable {
        var period: String
        var currency: String
        var values: [String]

        static func < (lhs: RowKey, rhs: RowKey) -> Bool {
            if lhs.period != rhs.period { return lhs.period < rhs.period }
            if lhs.currency != rhs.currency { return lhs.currency < rhs.currency }
            return lhs.values.lexicographicallyPrecedes(rhs.values)
        }
    }

    /// The finest grain of the insights: one account's counts for a local day, category, country,
    /// market, business phone number and pricing type.
    struct Atom {
        var tier = ""
        /// A call's own direction; other units take theirs from the category.
        var direction: String?
        var kind: String
        var day: DayKey
        var category: String
        var country: String
        var market: String
        var phone: String
        var pricingType: String

        /// The atom of a priced cell (the cell's market is the one it was priced in).
        init(_ key: ReportCellTally.Key, pricingType: String) {
            kind = key.kind
            day = key.day
            category = key.category
            country = key.country
            market = key.market
            phone = key.phone
            self.pricingType = pricingType
        }

        func value(of dimension: InsightsDimension, account: String) -> String {
            switch dimension {
            case .account: account
            case .phone: phone.isEmpty ? "unknown" : phone
            case .country: country.isEmpty ? "unknown" : country
            case .market: market
            case .category: category
            case .pricingType: pricingType
            case .direction: direction ?? InsightsDirection.of(category: category)
            case .kind: kind
            case .tier: tier
            }
        }
    }

    /// A cell's tier shares summed per tier, in tier order.
    private static func sharesByTier(
        _ shares: [VolumeTierPricing.TierShare]
    ) -> [(String, VolumeTierPricing.TierShare)] {
        guard !shares.isEmpty else { return [] }
        var sums: [String: VolumeTierPricing.TierShare] = [:]
        for share in shares {
            var sum = sums[share.tier] ?? VolumeTierPricing.TierShare(tier: share.tier, count: 0, cost: 0, unrated: 0)
            sum.count += share.count
            if !share.cost.isZero { sum.cost += share.cost }
            sum.unrated += share.unrated
            sums[share.tier] = sum
        }
        return sums.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    private struct Cell: Hashable {
        var day: DayKey
        var category: String
        var country: String
        var phone: String
    }

    /// The month's figures on the period's days, split into atoms: counts from the counters, cost and
    /// the free tier from the priced cells (which hold exactly what the report sums).
    private static func forEachAtom(
        of month: ReportInputs, priced: ReportBuilder.PricedMonth, days: ClosedRange<DayKey>, markets: MarketTable,
        _ body: (Atom, InsightsMetrics) -> Void
    ) {
        let cells = priced.cells
        var messages: [Cell: [RollupMetric: Int]] = [:]
        var conversations: [Cell: [RollupMetric: Int]] = [:]
        // The priced cell a counter cell belongs to (`ReportCellTally.line` decides its market).
        func tallyKey(_ kind: String, _ cell: Cell) -> ReportCellTally.Key {
            cells.line(
                kind,
                RollupKey(
                    day: cell.day, metric: .messageDelivered, category: cell.category, country: cell.country,
                    phone: cell.phone))
        }
        func atom(_ cell: Cell, _ pricingType: String, kind: String = "message") -> Atom {
            Atom(tallyKey(kind, cell), pricingType: pricingType)
        }

        for row in month.rollups where days.contains(row.key.day) {
            let key = row.key
            let cell = Cell(day: key.day, category: key.category, country: key.country, phone: key.phone)
            var metrics = InsightsMetrics()
            switch key.metric {
            case .messageSent: metrics.messagesSent = row.count
            case .messageRead: metrics.messagesRead = row.count
            case .messageFailed: metrics.messagesFailed = row.count
            case .messageReceived: metrics.messagesReceived = row.count
            case .messageAppSent: metrics.messagesAppSent = row.count
            case .messageAgentSent: metrics.messagesAgentSent = row.count
            case .messageDelivered, .messageCharged, .messageFreeEntryPoint, .messageFreeCustomerService:
                messages[cell, default: [:]][key.metric, default: 0] += row.count
                continue
            case .conversationDelivered, .conversationBillable:
                conversations[cell, default: [:]][key.metric, default: 0] += row.count
                continue
            }
            // Sending, reading, failing and receiving have no pricing type.
            body(atom(cell, ""), metrics)
        }

        func tierShares(_ cell: Cell) -> [(String, VolumeTierPricing.TierShare)] {
            Self.sharesByTier(cells.tiers[tallyKey("message", cell)] ?? [])
        }

        for (cell, counts) in messages {
            let delivered = counts[.messageDelivered] ?? 0
            let charged = counts[.messageCharged] ?? 0
            let entryPoint = counts[.messageFreeEntryPoint] ?? 0
            let service = counts[.messageFreeCustomerService] ?? 0
            let split = [
                (InsightsPricingType.regular, charged), (InsightsPricingType.freeEntryPoint, entryPoint),
                (InsightsPricingType.freeCustomerService, service),
                (InsightsPricingType.none, delivered - charged - entryPoint - service),
            ]
            for (pricingType, count) in split where count != 0 {
                guard pricingType == InsightsPricingType.regular else {
                    body(atom(cell, pricingType), .delivered(count, message: true, charged: false))
                    continue
                }
                // Charged messages of a volume-tier pool, by the tier they were priced at.
                var remaining = count
                for (tier, share) in tierShares(cell) {
                    var tiered = atom(cell, pricingType)
                    tiered.tier = tier
                    body(tiered, .delivered(share.count, message: true, charged: true))
                    remaining -= share.count
                }
                if remaining != 0 { body(atom(cell, pricingType), .delivered(remaining, message: true, charged: true)) }
            }
        }

        for (cell, counts) in conversations {
            let delivered = counts[.conversationDelivered] ?? 0
            let billable = counts[.conversationBillable] ?? 0
            let freeTier = cells.cells[tallyKey("conversation", cell)]?.freeTier ?? 0
            let split = [
                (InsightsPricingType.regular, billable - freeTier), (InsightsPricingType.freeTier, freeTier),
                (InsightsPricingType.freeEntryPoint, delivered - billable),
            ]
            for (pricingType, count) in split where count != 0 {
                body(
                    atom(cell, pricingType, kind: "conversation"),
                    .delivered(count, message: false, charged: pricingType == InsightsPricingType.regular))
            }
        }

        // Cost belongs to the charged units, whatever priced them (card, tier, webhook); a tier
        // pool's by the tier each unit was priced at.
        for (key, cell) in cells.cells where days.contains(key.day) && (!cell.cost.isZero || cell.unrated != 0) {
            let untiered = Atom(key, pricingType: InsightsPricingType.regular)
            var rest = InsightsMetrics()
            rest.cost = cell.cost
            rest.unrated = cell.unrated
            for (tier, share) in Self.sharesByTier(cells.tiers[key] ?? []) {
                var tiered = untiered
                tiered.tier = tier
                var metrics = InsightsMetrics()
                metrics.cost = share.cost
                metrics.unrated = share.unrated
                body(tiered, metrics)
                rest.cost -= share.cost
                rest.unrated -= share.unrated
            }
            if !rest.cost.isZero || rest.unrated != 0 { body(untiered, rest) }
        }

        forEachCall(of: month, prices: priced.callPrices, days: days, markets: markets, body)
    }

    /// The month's calls on the period's days, one atom each (kind `call`, category `calling`), with
    /// the price the report gives them (the portfolio's calling tiers).
    private static func forEachCall(
        of month: ReportInputs, prices: [String: CallCharging.Price], days: ClosedRange<DayKey>,
        markets: MarketTable, _ body: (Atom, InsightsMetrics) -> Void
    ) {
        guard let inputs = month.calls else { return }
        let account = month.account
        let calendar = BillingCalendar(timezoneIdentifier: account.timezone) ?? .utc
        for call in inputs.calls {
            guard let placedAt = call.placedAt else { continue }
            let day = calendar.day(of: placedAt)
            guard days.contains(day) else { continue }
            let price = prices[call.callId]
            var atom = Atom(
                ReportCellTally.Key(
                    kind: "call", day: day, category: CallCharging.category,
                    market: markets.market(country: call.country, on: day), country: call.country,
                    phone: call.phoneNumberId ?? ""),
                pricingType: call.isCharged ? InsightsPricingType.regular : "")
            atom.tier = price?.tier ?? ""
            atom.direction =
                switch call.direction {
                case .businessInitiated?: InsightsDirection.businessInitiated
                case .userInitiated?: InsightsDirection.userInitiated
                case nil: InsightsDirection.unknown
                }
            var metrics = InsightsMetrics()
            metrics.calls = 1
            if call.isAnswered {
                metrics.callsAnswered = 1
                metrics.callSeconds = Int(call.duration ?? 0)
            }
            if call.isCharged {
                metrics.callsCharged = 1
                metrics.callMinutes = CallCharging.minutes(pulses: call.pulses)
                if let rate = price?.rate {
                    metrics.callCost = metrics.callMinutes * rate
                    metrics.cost = metrics.callCost
                } else {
                    metrics.unrated = 1
                }
            }
            body(atom, metrics)
        }
    }
}
