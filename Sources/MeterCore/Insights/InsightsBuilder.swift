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
    /// For `half_hour` queries: each account-month's half-hour counters on the period's days
    /// (`halfHourKey`); they sum to its day counters there.
    public var halfHourCounters: [String: [RollupRow]]

    public init(
        accounts: [Account], months: [ReportInputs], undelivered: [String: Undelivered],
        phoneNumbers: [BusinessPhoneNumber] = [], halfHourCounters: [String: [RollupRow]] = [:]
    ) {
        self.accounts = accounts
        self.months = months
        self.undelivered = undelivered
        self.phoneNumbers = phoneNumbers
        self.halfHourCounters = halfHourCounters
    }

    /// The key of an account-month in `halfHourCounters`.
    public static func halfHourKey(account: String, month: YearMonth) -> String { "\(account) \(month)" }
}

/// Answers an insights query. Each month is priced exactly as its report is (`ReportBuilder`), day by
/// day, and the query keeps the days of its period, so the insights for a calendar month are that
/// month's report, and any breakdown sums to the total. Pure, like the report.
public enum InsightsBuilder {
    /// The insights, and the report of the month `reportOf` from the same pricing (`nil` when the
    /// inputs hold no such month). The month's inputs must have been gathered whole (its pending
    /// and dropped units counted) for the report to be the month's report. One month after the
    /// other: `LedgerStore.insights` prices a portfolio's months in parallel, as it reads them
    /// (`part`, then `assemble`).
    public static func build(
        _ query: InsightsQuery, _ inputs: InsightsInputs, markets: MarketTable = .standard, reportOf: YearMonth?
    ) -> (insights: InsightsResult, report: Report?) {
        let filters = Filters(query, phoneNumbers: inputs.phoneNumbers)
        let parts = inputs.months.filter { query.filters.keeps(.account, $0.account.id) }.map { month in
            part(
                of: month, query: query,
                halfHourCounters: inputs.halfHourCounters[
                    InsightsInputs.halfHourKey(account: month.account.id, month: month.month)] ?? [],
                filters: filters, markets: markets, reportOf: reportOf)
        }
        return assemble(query, inputs, parts: parts)
    }

    /// The query's filters as every account-month applies them: accounts are filtered whole,
    /// before pricing; phone numbers may be named by display number.
    public struct Filters: Sendable {
        var values: [(key: InsightsDimension, value: Set<String>)]

        public init(_ query: InsightsQuery, phoneNumbers: [BusinessPhoneNumber]) {
            var filterValues = query.filters.values
            filterValues[.account] = nil
            if let phones = filterValues[.phone] {
                filterValues[.phone] = BusinessPhoneNumber.ids(named: phones, in: phoneNumbers)
            }
            values = filterValues.sorted { $0.key < $1.key }
        }
    }

    /// The answer from each account-month's part (in month order; `inputs.months` may be empty
    /// when the parts were made as the months were gathered) and the accounts' undelivered counts.
    public static func assemble(
        _ query: InsightsQuery, _ inputs: InsightsInputs, parts: [MonthPart]
    ) -> (insights: InsightsResult, report: Report?) {
        let filtersOnlyAccounts = query.filters.values.keys.allSatisfy { $0 == .account }
        var report: Report?
        var rows: [RowKey: InsightsMetrics] = [:]
        var totals: [String: InsightsMetrics] = [:]
        for part in parts {
            if let monthReport = part.report { report = monthReport }
            if rows.isEmpty {
                rows = part.rows
            } else {
                for (key, metrics) in part.rows { rows[key, default: InsightsMetrics()].add(metrics) }
            }
            totals[part.currency, default: InsightsMetrics()].add(part.total)
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

        let insights = InsightsResult(
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
        return (insights, report)
    }

    /// One account-month's share of the answer: its rows, its total, and its report when asked for.
    public struct MonthPart: Sendable {
        var rows: [RowKey: InsightsMetrics] = [:]
        var currency: String
        var total = InsightsMetrics()
        var report: Report?
    }

    /// Prices one account-month as its report does and adds its atoms on the query's days to rows;
    /// `halfHourCounters` are its half-hour counters on the period's days (used by `half_hour`
    /// queries and periods given as times).
    public static func part(
        of month: ReportInputs, query: InsightsQuery, halfHourCounters: [RollupRow], filters: Filters,
        markets: MarketTable = .standard, reportOf: YearMonth? = nil
    ) -> MonthPart {
        let account = month.account
        let days = query.from...query.to
        // A period given as times is counted by the half-hour, whatever the granularity.
        let halfHourly = query.granularity == .halfHour || query.instants != nil
        let priced = ReportBuilder.price(month, markets: markets)
        var part = MonthPart(currency: account.currency)
        if month.month == reportOf { part.report = priced.report }
        let calendar = BillingCalendar(timezoneIdentifier: account.timezone) ?? .utc
        var periods: [DayKey: String] = [:]
        var halfHourLabels: [Int64: String] = [:]
        let counters = halfHourly ? halfHourCounters : month.rollups
        let split = TimeSplit(halfHourly: halfHourly, calendar: calendar)
        forEachAtom(of: month, priced: priced, counters: counters, split: split, days: days, markets: markets) {
            atom, metrics in
            if let instants = query.instants {
                guard let halfHour = atom.halfHour, instants.contains(halfHour) else { return }
            }
            for (dimension, kept) in filters.values where !kept.contains(atom.value(of: dimension, account: account.id))
            {
                return
            }
            let period: String
            if query.granularity == .halfHour, let halfHour = atom.halfHour {
                period = halfHourLabels[halfHour] ?? HalfHourLabel.format(halfHour, in: calendar)
                halfHourLabels[halfHour] = period
            } else {
                period = periods[atom.day] ?? query.period(of: atom.day)
                periods[atom.day] = period
            }
            let key = RowKey(
                period: period, currency: account.currency,
                values: query.dimensions.map { atom.value(of: $0, account: account.id) })
            part.rows[key, default: InsightsMetrics()].add(metrics)
            part.total.add(metrics)
        }
        return part
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
        /// The half-hour (UTC epoch second of its start) in `half_hour` queries; `nil` for the day.
        var halfHour: Int64?
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

    /// A cell's tier shares summed per tier, in tier order (by the tier's lower bound: the units of
    /// a lower tier were delivered first).
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
        func lowerBound(_ tier: String) -> Int { Int(tier.prefix { $0 != ":" }) ?? Int.max }
        return sums.sorted { (lowerBound($0.key), $0.key) < (lowerBound($1.key), $1.key) }.map { ($0.key, $0.value) }
    }

    private struct Cell: Hashable {
        var day: DayKey
        var category: String
        var country: String
        var phone: String
    }

    /// A cell's delivered messages in one half-hour (or the whole day), by why they are charged or
    /// free.
    private struct MessageCounts {
        var delivered = 0
        var charged = 0
        var entryPoint = 0
        var service = 0
    }

    /// A cell's delivered conversations in one half-hour (or the whole day).
    private struct ConversationCounts {
        var delivered = 0
        var billable = 0
    }

    /// A cell's counts by half-hour: its first half-hour's inline (a query by day has only that
    /// one, stored as 0), any other's in a dictionary. A dictionary per cell was a fifth of the
    /// atoms' time for a month by day.
    private struct BySlot<Counts> {
        var halfHour: Int64
        var counts: Counts
        var others: [Int64: Counts] = [:]

        init(_ halfHour: Int64, _ counts: Counts) {
            self.halfHour = halfHour
            self.counts = counts
        }

        mutating func update(_ halfHour: Int64, empty: Counts, _ change: (inout Counts) -> Void) {
            if halfHour == self.halfHour { change(&counts) } else { change(&others[halfHour, default: empty]) }
        }

        /// In time order.
        var ordered: [(halfHour: Int64, counts: Counts)] {
            guard !others.isEmpty else { return [(halfHour, counts)] }
            return ([(halfHour, counts)] + others.map { ($0.key, $0.value) }).sorted { $0.halfHour < $1.halfHour }
        }
    }

    /// The month's figures on the period's days, split into atoms: counts from the counters (day or
    /// half-hour ones), cost and the free tier from the priced cells (which hold exactly what the
    /// report sums). In half-hours, what the day's pricing decided by order goes to the units in
    /// time order: the free tier to a cell's first billable conversations, the tiers of a volume
    /// pool, lowest first, to its first charged messages; cost to the half-hours of the units it
    /// belongs to, in proportion to their number (exact per unit when they share one rate).
    private static func forEachAtom(
        of month: ReportInputs, priced: ReportBuilder.PricedMonth, counters: [RollupRow], split: TimeSplit,
        days: ClosedRange<DayKey>, markets: MarketTable, _ body: (Atom, InsightsMetrics) -> Void
    ) {
        let cells = priced.cells
        var messages: [Cell: BySlot<MessageCounts>] = [:]
        var conversations: [Cell: BySlot<ConversationCounts>] = [:]
        func count(_ cell: Cell, _ halfHour: Int64, _ change: (inout MessageCounts) -> Void) {
            messages[cell, default: BySlot(halfHour, MessageCounts())].update(
                halfHour, empty: MessageCounts(), change)
        }
        func count(_ cell: Cell, _ halfHour: Int64, _ change: (inout ConversationCounts) -> Void) {
            conversations[cell, default: BySlot(halfHour, ConversationCounts())].update(
                halfHour, empty: ConversationCounts(), change)
        }
        // The priced cell a counter cell belongs to (`ReportCellTally.line` decides its market).
        func tallyKey(_ kind: String, _ cell: Cell) -> ReportCellTally.Key {
            cells.line(
                kind,
                RollupKey(
                    day: cell.day, metric: .messageDelivered, category: cell.category, country: cell.country,
                    phone: cell.phone))
        }
        func atom(_ key: ReportCellTally.Key, _ pricingType: String, _ halfHour: Int64?) -> Atom {
            var atom = Atom(key, pricingType: pricingType)
            atom.halfHour = halfHour
            return atom
        }

        // A counter row's metrics come one after another: its cell's key is looked up once.
        var last: (cell: Cell, key: ReportCellTally.Key)?
        for row in counters where days.contains(row.key.day) {
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
            case .messageDelivered:
                count(cell, key.halfHour) { (counts: inout MessageCounts) in counts.delivered += row.count }
                continue
            case .messageCharged:
                count(cell, key.halfHour) { (counts: inout MessageCounts) in counts.charged += row.count }
                continue
            case .messageFreeEntryPoint:
                count(cell, key.halfHour) { (counts: inout MessageCounts) in counts.entryPoint += row.count }
                continue
            case .messageFreeCustomerService:
                count(cell, key.halfHour) { (counts: inout MessageCounts) in counts.service += row.count }
                continue
            case .conversationDelivered:
                count(cell, key.halfHour) { (counts: inout ConversationCounts) in counts.delivered += row.count }
                continue
            case .conversationBillable:
                count(cell, key.halfHour) { (counts: inout ConversationCounts) in counts.billable += row.count }
                continue
            }
            // Sending, reading, failing and receiving have no pricing type.
            if last?.cell != cell { last = (cell, tallyKey("message", cell)) }
            body(atom(last!.key, "", split.halfHour(key.halfHour)), metrics)
        }

        // Each priced cell's charged units by tier ("" for units outside a tier pool), in time order.
        var chargedUnits: [ReportCellTally.Key: [(tier: String, slots: TimeSplit.Slots)]] = [:]

        for (cell, bySlot) in messages {
            let key = tallyKey("message", cell)
            var charged: TimeSplit.Slots = []
            for (halfHour, counts) in bySlot.ordered {
                let slot = split.halfHour(halfHour)
                func free(_ pricingType: String, _ count: Int) {
                    guard count != 0 else { return }
                    body(atom(key, pricingType, slot), .delivered(count, message: true, charged: false))
                }
                free(InsightsPricingType.freeEntryPoint, counts.entryPoint)
                free(InsightsPricingType.freeCustomerService, counts.service)
                free(InsightsPricingType.none, counts.delivered - counts.charged - counts.entryPoint - counts.service)
                if counts.charged != 0 { charged.append((slot, counts.charged)) }
            }
            guard !charged.isEmpty else { continue }
            // Charged messages of a volume-tier pool, by the tier they were priced at.
            var pieces: [(tier: String, slots: TimeSplit.Slots)] = []
            for (tier, share) in Self.sharesByTier(cells.tiers[key] ?? []) {
                pieces.append((tier, TimeSplit.take(share.count, from: &charged)))
            }
            if !charged.isEmpty { pieces.append(("", charged)) }
            chargedUnits[key] = pieces
            for (tier, slots) in pieces {
                for (slot, count) in slots where count != 0 {
                    var tiered = atom(key, InsightsPricingType.regular, slot)
                    tiered.tier = tier
                    body(tiered, .delivered(count, message: true, charged: true))
                }
            }
        }

        for (cell, bySlot) in conversations {
            let key = tallyKey("conversation", cell)
            var freeLeft = cells.cells[key]?.freeTier ?? 0
            var regular: TimeSplit.Slots = []
            let ordered = bySlot.ordered
            for (index, (halfHour, counts)) in ordered.enumerated() {
                let slot = split.halfHour(halfHour)
                // The free tier covers the month's first billable conversations; what the cell's
                // half-hours cannot hold stays on its last, as the day's figures have it.
                var free = min(freeLeft, max(counts.billable, 0))
                if index == ordered.count - 1 { free = freeLeft }
                freeLeft -= free
                let parts = [
                    (InsightsPricingType.regular, counts.billable - free), (InsightsPricingType.freeTier, free),
                    (InsightsPricingType.freeEntryPoint, counts.delivered - counts.billable),
                ]
                for (pricingType, count) in parts where count != 0 {
                    body(
                        atom(key, pricingType, slot),
                        .delivered(count, message: false, charged: pricingType == InsightsPricingType.regular))
                }
                if counts.billable - free != 0 { regular.append((slot, counts.billable - free)) }
            }
            chargedUnits[key] = [("", regular)]
        }

        // Messages whose webhook stated their cost, by half-hour: their cost is theirs exactly, and
        // the card prices the rest of their cell at one rate.
        var stated: [ReportCellTally.Key: [Int64: (count: Int, amount: Decimal)]] = [:]
        if split.halfHourly {
            for message in month.webhookPriced where days.contains(message.day) {
                let key = tallyKey(
                    "message",
                    Cell(day: message.day, category: message.category, country: message.country, phone: message.phone))
                stated[key, default: [:]][message.halfHour, default: (0, 0)].count += 1
                stated[key, default: [:]][message.halfHour, default: (0, 0)].amount += message.amount
            }
        }

        // Cost belongs to the charged units, whatever priced them (card, tier, webhook); a tier
        // pool's by the tier each unit was priced at.
        for (key, cell) in cells.cells where days.contains(key.day) && (!cell.cost.isZero || cell.unrated != 0) {
            let untiered = Atom(key, pricingType: InsightsPricingType.regular)
            let pieces = chargedUnits[key] ?? []
            // Cost with no charged unit of its own (none in the counters) stays on the cell's first
            // half-hour, or the day's.
            let fallback = pieces.lazy.flatMap(\.slots).first?.halfHour ?? split.start(of: key.day)
            func emit(_ tier: String, _ slot: Int64?, cost: Decimal, unrated: Int) {
                var atom = untiered
                atom.tier = tier
                atom.halfHour = slot
                var metrics = InsightsMetrics()
                metrics.cost = cost
                metrics.unrated = unrated
                body(atom, metrics)
            }
            func share(_ tier: String, cost: Decimal, unrated: Int) {
                var slots = pieces.first { $0.tier == tier }?.slots ?? []
                var cost = cost
                for (halfHour, part) in (tier.isEmpty ? stated[key] : nil)?.sorted(by: { $0.key < $1.key }) ?? [] {
                    emit(tier, halfHour, cost: part.amount, unrated: 0)
                    cost -= part.amount
                    if let index = slots.firstIndex(where: { $0.halfHour == halfHour }) {
                        slots[index].count -= part.count
                    }
                }
                slots.removeAll { $0.count == 0 }
                guard !cost.isZero || unrated != 0 else { return }
                TimeSplit.share(cost: cost, unrated: unrated, over: slots, fallback: fallback) { slot, cost, unrated in
                    emit(tier, slot, cost: cost, unrated: unrated)
                }
            }
            var restCost = cell.cost
            var restUnrated = cell.unrated
            for (tier, tierShare) in Self.sharesByTier(cells.tiers[key] ?? []) {
                share(tier, cost: tierShare.cost, unrated: tierShare.unrated)
                restCost -= tierShare.cost
                restUnrated -= tierShare.unrated
            }
            if !restCost.isZero || restUnrated != 0 { share("", cost: restCost, unrated: restUnrated) }
        }

        forEachCall(of: month, prices: priced.callPrices, split: split, days: days, markets: markets, body)
    }

    /// The month's calls on the period's days, one atom each (kind `call`, category `calling`), with
    /// the price the report gives them (the portfolio's calling tiers).
    private static func forEachCall(
        of month: ReportInputs, prices: [String: CallCharging.Price], split: TimeSplit, days: ClosedRange<DayKey>,
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
            atom.halfHour = split.halfHour(RollupKey.halfHour(of: placedAt))
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
