import Foundation
import WhatsAppWebhook

/// One stored counter cell, as the store returns it.
public struct RollupRow: Sendable, Equatable {
    public var key: RollupKey
    public var count: Int

    public init(key: RollupKey, count: Int) {
        self.key = key
        self.count = count
    }
}

/// A conversation the month's free tier covers (the store selects the first N by first delivery).
public struct FreeTierConversation: Sendable, Equatable {
    public var day: DayKey
    public var category: String
    public var country: String

    public init(day: DayKey, category: String, country: String) {
        self.day = day
        self.category = category
        self.country = country
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
    /// Pools whose total passes a tier boundary, so their messages must be priced in delivery order.
    public var orderedPools: Set<TierPoolKey>
    /// The charged messages of those pools, from every account of the portfolio.
    public var orderedUnits: [TierUnit]
    /// Meta's tier-update webhooks for the month, from any account of the portfolio.
    public var updates: [TierUpdate]

    public init(
        portfolioRollups: [RollupRow], orderedPools: Set<TierPoolKey> = [], orderedUnits: [TierUnit] = [],
        updates: [TierUpdate] = []
    ) {
        self.portfolioRollups = portfolioRollups
        self.orderedPools = orderedPools
        self.orderedUnits = orderedUnits
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

    public init(
        account: Account, month: YearMonth, rollups: [RollupRow], freeTierConversations: [FreeTierConversation],
        undeliveredMessages: UndeliveredCounts, undeliveredConversations: UndeliveredCounts, rates: RateCard,
        volumeTiers: VolumeTierInputs? = nil, webhookPriced: [WebhookPricedMessage] = []
    ) {
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

/// Turns counts into a rated report. Pure: rating happens here, at report time, so a new rate card
/// needs no rebuild (DESIGN: "Rating is applied at report time from counts").
public enum ReportBuilder {
    public static func build(_ inputs: ReportInputs, markets: MarketTable = .standard) -> Report {
        var ledger = LineLedger(currency: inputs.account.currency, rates: inputs.rates, markets: markets)
        let freeTier = PricingRules.conversationFreeTier(for: inputs.month)

        var totals: [RollupMetric: Int] = [:]
        for row in inputs.rollups { totals[row.key.metric, default: 0] += row.count }

        // Conversations covered by the free tier, as cells to take off the billable counts.
        var free: [RollupKey: Int] = [:]
        for conversation in inputs.freeTierConversations {
            let key = RollupKey(
                day: conversation.day, metric: .conversationBillable, category: conversation.category,
                country: conversation.country)
            free[key, default: 0] += 1
        }
        // Messages priced by their webhook, as cells to take off the card-priced counts.
        var priced: [RollupKey: (count: Int, amount: Decimal)] = [:]
        for message in inputs.webhookPriced {
            let key = RollupKey(
                day: message.day, metric: .messageCharged, category: message.category, country: message.country)
            priced[key, default: (0, 0)].count += 1
            priced[key, default: (0, 0)].amount += message.amount
        }
        var webhookPriced = (count: 0, amount: Decimal(0))
        var freeTierCount = 0
        var chargedConversations = 0
        var tieredCells: [TierPoolKey: [RollupRow]] = [:]

        for row in inputs.rollups {
            let key = row.key
            switch key.metric {
            case .messageDelivered:
                ledger.deliver(ledger.line("message", key), row.count)
            case .messageCharged:
                let lineKey = ledger.line("message", key)
                if let pool = VolumeTierPricing.pool(of: key, markets: markets) {
                    // Counted here, priced below with the rest of its pool.
                    ledger.charge(lineKey, row.count)
                    tieredCells[pool, default: []].append(row)
                    continue
                }
                var count = row.count
                if let webhook = priced[key] {
                    let covered = min(count, webhook.count)
                    // All of a cell's priced messages are in it, so `covered` is all of them.
                    ledger.charge(lineKey, covered, amount: webhook.amount)
                    webhookPriced.count += covered
                    webhookPriced.amount += webhook.amount
                    count -= covered
                }
                if count > 0 { ledger.chargeAtCardRate(lineKey, key, count) }
            case .conversationDelivered:
                ledger.deliver(ledger.line("conversation", key), row.count)
            case .conversationBillable:
                var count = row.count
                switch freeTier {
                case .none: break
                case .first:
                    let covered = min(count, free[key] ?? 0)
                    count -= covered
                    freeTierCount += covered
                case .allService:
                    if key.category == PricingCategory.service {
                        freeTierCount += count
                        count = 0
                    }
                }
                chargedConversations += count
                if count > 0 { ledger.chargeAtCardRate(ledger.line("conversation", key), key, count) }
            case .messageSent, .messageRead, .messageFailed, .messageReceived:
                break
            }
        }

        let volumeTiers = priceTierPools(
            tieredCells, inputs: inputs, ledger: &ledger, markets: markets)

        let delivered = totals[.conversationDelivered] ?? 0
        let currency = inputs.account.currency
        return Report(
            account: inputs.account.id, month: inputs.month.description, timezone: inputs.account.timezone,
            currency: currency,
            conversations: Report.Conversations(
                delivered: delivered, charged: chargedConversations,
                dropped: inputs.undeliveredConversations.dropped,
                pending: inputs.undeliveredConversations.total - inputs.undeliveredConversations.dropped,
                freeTier: freeTierCount, freeEntryPoint: delivered - (totals[.conversationBillable] ?? 0),
                byCategory: ledger.byCategory("conversation")),
            messages: Report.Messages(
                sent: totals[.messageSent] ?? 0, delivered: totals[.messageDelivered] ?? 0,
                read: totals[.messageRead] ?? 0, failed: totals[.messageFailed] ?? 0,
                received: totals[.messageReceived] ?? 0, charged: totals[.messageCharged] ?? 0,
                dropped: inputs.undeliveredMessages.dropped,
                pending: inputs.undeliveredMessages.total - inputs.undeliveredMessages.dropped,
                byCategory: ledger.byCategory("message")),
            byMarket: ledger.charged { $0.market },
            byCountry: ledger.charged { $0.country.isEmpty ? "unknown" : $0.country },
            cost: Report.Cost(total: formatMoney(ledger.total), currency: currency),
            unrated: ledger.unratedSummary(), volumeTiers: volumeTiers,
            webhookPriced: Report.ChargedLine(charged: webhookPriced.count, cost: formatMoney(webhookPriced.amount)),
            lines: ledger.sortedLines)
    }

    /// Prices each pool's messages in order (marginal tiers), adds this account's share to its lines,
    /// and describes the pools for the report.
    private static func priceTierPools(
        _ ownCells: [TierPoolKey: [RollupRow]], inputs: ReportInputs, ledger: inout LineLedger, markets: MarketTable
    ) -> [Report.VolumeTierLine] {
        let account = inputs.account.id
        let currency = inputs.account.currency
        let tiers = inputs.volumeTiers
        let portfolioCells = VolumeTierPricing.cells(of: tiers?.portfolioRollups ?? inputs.rollups, markets: markets)
        var unitsByPool: [TierPoolKey: [TierUnit]] = [:]
        for unit in tiers?.orderedUnits ?? [] {
            let key = RollupKey(day: unit.day, metric: .messageCharged, category: unit.category, country: unit.country)
            guard let pool = VolumeTierPricing.pool(of: key, markets: markets),
                tiers?.orderedPools.contains(pool) == true
            else { continue }
            unitsByPool[pool, default: []].append(unit)
        }

        var lines: [TierPoolKey: Report.VolumeTierLine] = [:]
        for (pool, cells) in ownCells {
            // In delivery order when the pool passes a tier boundary; otherwise every message is in
            // the first tier and day order is enough (the day decides the rate).
            let runs: [VolumeTierPricing.Run]
            if let units = unitsByPool[pool] {
                runs = VolumeTierPricing.runs(of: units)
            } else {
                runs = cells.sorted {
                    ($0.key.day, $0.key.category, $0.key.country) < ($1.key.day, $1.key.category, $1.key.country)
                }
                .map {
                    VolumeTierPricing.Run(
                        account: account, day: $0.key.day, category: $0.key.category, country: $0.key.country,
                        count: $0.count)
                }
            }
            let priced = VolumeTierPricing.price(runs, market: pool.market, currency: currency, card: inputs.rates)
            for (run, result) in zip(runs, priced) where run.account == account {
                let key = RollupKey(day: run.day, metric: .messageCharged, category: run.category, country: run.country)
                ledger.price(ledger.line("message", key), cost: result.cost, unrated: result.unrated)
            }
            var line = Report.VolumeTierLine.empty(pool)
            line.charged = cells.reduce(0) { $0 + $1.count }
            lines[pool] = line
        }
        for (pool, cells) in portfolioCells {
            var line =
                lines[pool] ?? .empty(pool)
            line.portfolioCharged = cells.reduce(0) { $0 + $1.count }
            // The tier of the pool's latest message, from the pool's table in force on its day (the
            // authentication table for an authentication-international message, when there is one).
            if let last = cells.max(by: { ($0.day, $0.category) < ($1.day, $1.category) }),
                let table = inputs.rates.tierTable(
                    currency: currency, market: pool.market, category: pool.category, on: last.day)
                    ?? inputs.rates.tierTable(
                        currency: currency, market: pool.market, category: last.category, on: last.day),
                let tier = RateCard.tier(containing: line.portfolioCharged, in: table)
            {
                line.tier = tier.label
            }
            lines[pool] = line
        }
        // Meta's announcements: the latest for each pool (duplicates were already folded to their
        // earliest time when stored).
        for update in tiers?.updates ?? [] where update.effectiveMonth == inputs.month.description {
            guard let category = TierPoolKey.poolCategory(of: update.pricingCategory) else { continue }
            let pool = TierPoolKey(market: update.region, category: category)
            var line =
                lines[pool] ?? .empty(pool)
            if line.metaTierUpdatedAt.map({ ($0, line.metaTier ?? "") < (update.updatedAt, update.tier) }) ?? true {
                line.metaTier = update.tier
                line.metaTierUpdatedAt = update.updatedAt
            }
            lines[pool] = line
        }
        return lines.sorted { $0.key < $1.key }.map(\.value)
    }
}

/// The report's cells (kind × category × market × country) as they are counted and priced.
struct LineLedger {
    struct Key: Hashable {
        var kind: String
        var category: String
        var market: String
        var country: String
    }

    let currency: String
    let rates: RateCard
    let markets: MarketTable
    private var lines: [Key: Report.Line] = [:]
    private var unrated: [Key: Int] = [:]

    init(currency: String, rates: RateCard, markets: MarketTable) {
        self.currency = currency
        self.rates = rates
        self.markets = markets
    }

    func line(_ kind: String, _ key: RollupKey) -> Key {
        Key(
            kind: kind, category: key.category, market: markets.market(country: key.country, on: key.day),
            country: key.country)
    }

    private mutating func touch(_ key: Key) {
        if lines[key] == nil {
            lines[key] = Report.Line(
                kind: key.kind, category: key.category, market: key.market, country: key.country, delivered: 0,
                charged: 0, cost: 0)
        }
    }

    mutating func deliver(_ key: Key, _ count: Int) {
        touch(key)
        lines[key]!.delivered += count
    }

    /// Counts charged units, adding `amount` to the cost when their price is known here.
    mutating func charge(_ key: Key, _ count: Int, amount: Decimal = 0) {
        touch(key)
        lines[key]!.charged += count
        lines[key]!.cost += amount
    }

    /// Adds the cost of units already counted, and how many of them had no rate.
    mutating func price(_ key: Key, cost: Decimal, unrated count: Int) {
        touch(key)
        lines[key]!.cost += cost
        if count > 0 { unrated[key, default: 0] += count }
    }

    /// Counts charged units and prices them at the card's rate for their day.
    mutating func chargeAtCardRate(_ key: Key, _ cell: RollupKey, _ count: Int) {
        if let rate = rates.rate(currency: currency, market: key.market, category: cell.category, on: cell.day) {
            charge(key, count, amount: rate * Decimal(count))
        } else {
            charge(key, count)
            unrated[key, default: 0] += count
        }
    }

    var sortedLines: [Report.Line] {
        var lines = lines
        for (key, count) in unrated { lines[key]?.unrated = count }
        return lines.values.sorted {
            ($0.kind, $0.category, $0.market, $0.country) < ($1.kind, $1.category, $1.market, $1.country)
        }
    }

    var total: Decimal { lines.values.reduce(Decimal(0)) { $0 + $1.cost } }

    func byCategory(_ kind: String) -> [String: Report.CategoryLine] {
        var sums: [String: (delivered: Int, charged: Int, cost: Decimal)] = [:]
        for line in lines.values where line.kind == kind {
            var sum = sums[line.category] ?? (0, 0, 0)
            sum.delivered += line.delivered
            sum.charged += line.charged
            sum.cost += line.cost
            sums[line.category] = sum
        }
        return sums.mapValues {
            Report.CategoryLine(delivered: $0.delivered, charged: $0.charged, cost: formatMoney($0.cost))
        }
    }

    func charged(by field: (Report.Line) -> String) -> [String: Report.ChargedLine] {
        var sums: [String: (charged: Int, cost: Decimal)] = [:]
        for line in lines.values where line.charged > 0 {
            var sum = sums[field(line)] ?? (0, 0)
            sum.charged += line.charged
            sum.cost += line.cost
            sums[field(line)] = sum
        }
        return sums.mapValues { Report.ChargedLine(charged: $0.charged, cost: formatMoney($0.cost)) }
    }

    func unratedSummary() -> Report.Unrated {
        let units = unrated.map {
            Report.Unrated.Unit(
                kind: $0.key.kind, category: $0.key.category, market: $0.key.market, country: $0.key.country,
                count: $0.value)
        }.sorted { ($0.kind, $0.category, $0.market, $0.country) < ($1.kind, $1.category, $1.market, $1.country) }
        return Report.Unrated(count: units.reduce(0) { $0 + $1.count }, units: units)
    }
}

extension Report.VolumeTierLine {
    /// A pool's line before anything is known of it.
    static func empty(_ pool: TierPoolKey) -> Report.VolumeTierLine {
        Report.VolumeTierLine(
            market: pool.market, category: pool.category, charged: 0, portfolioCharged: 0, tier: nil, metaTier: nil,
            metaTierUpdatedAt: nil)
    }
}
