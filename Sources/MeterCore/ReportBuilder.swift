import Foundation
import WhatsAppWebhook

/// Turns counts into a rated report. Pure: rating happens here, at report time, so a new rate card
/// needs no rebuild (DESIGN: "Rating is applied at report time from counts").
public enum ReportBuilder {
    public static func build(_ inputs: ReportInputs, markets: MarketTable = .standard) -> Report {
        price(inputs, markets: markets, tierShares: false).report
    }

    /// A month priced: the day-by-day cells its report sums (what the insights select from, so that
    /// any part of a month adds up to its report), and the rest of what the report says.
    struct PricedMonth {
        var inputs: ReportInputs
        var cells: ReportCellTally
        var totals: [RollupMetric: Int]
        var chargedConversations: Int
        var freeTierCount: Int
        var webhookPriced: (count: Int, amount: Decimal)
        var volumeTiers: [Report.VolumeTierLine]
        var calls: Report.Calls
        /// Each charged call's price, by call id (what the insights split by day and dimension).
        var callPrices: [String: CallCharging.Price]

        /// The report: sums of the cells, taken over days once (a month has ~30 times more day
        /// cells than month cells, and every breakdown below adds each cell's cost again).
        var report: Report {
            var report = summedReport
            if let asOf = inputs.asOf { report.forecast = forecast(asOf: asOf, report: report) }
            return report
        }

        private var summedReport: Report {
            let cells = cells.summedOverDays()
            let lines = cells.sortedLines
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
                    byCategory: cells.byCategory("conversation")),
                messages: Report.Messages(
                    sent: totals[.messageSent] ?? 0, delivered: totals[.messageDelivered] ?? 0,
                    read: totals[.messageRead] ?? 0, failed: totals[.messageFailed] ?? 0,
                    received: totals[.messageReceived] ?? 0, charged: totals[.messageCharged] ?? 0,
                    appSent: totals[.messageAppSent] ?? 0, agentSent: totals[.messageAgentSent] ?? 0,
                    dropped: inputs.undeliveredMessages.dropped,
                    pending: inputs.undeliveredMessages.total - inputs.undeliveredMessages.dropped,
                    byCategory: cells.byCategory("message")),
                byMarket: cells.charged { $0.market },
                byCountry: cells.charged { $0.country.isEmpty ? "unknown" : $0.country },
                byPhoneNumber: cells.charged { $0.phone.isEmpty ? "unknown" : $0.phone },
                cost: Report.Cost(messages: cells.total, calls: calls.cost, currency: currency),
                unrated: ReportCellTally.unratedSummary(of: lines), volumeTiers: volumeTiers,
                webhookPriced: Report.ChargedLine(charged: webhookPriced.count, cost: webhookPriced.amount),
                rateCards: inputs.rates.editions(
                    currency: currency, from: inputs.month.firstDay, through: inputs.month.next.firstDay - 1)
                    + (calls.charged > 0
                        ? inputs.rates.editions(
                            currency: currency, product: .calling, from: inputs.month.firstDay,
                            through: inputs.month.next.firstDay - 1) : []),
                calls: calls, lines: lines)
        }
    }

    /// `tierShares`: keep each tier-priced cell's units by tier (the insights' `tier`; a report
    /// does not need them).
    static func price(_ inputs: ReportInputs, markets: MarketTable, tierShares: Bool = true) -> PricedMonth {
        var cells = ReportCellTally(
            currency: inputs.account.currency, rates: inputs.rates, markets: markets, keepsTierShares: tierShares)
        let freeTier = PricingRules.conversationFreeTier(for: inputs.month)

        var totals: [RollupMetric: Int] = [:]
        var delivered = 0
        for row in inputs.rollups {
            totals[row.key.metric, default: 0] += row.count
            if row.key.metric == .messageDelivered || row.key.metric == .conversationDelivered { delivered += 1 }
        }
        // Every charged cell was delivered, so the delivered rows are about the number of cells.
        cells.reserve(delivered)

        // Conversations covered by the free tier, as cells to take off the billable counts.
        var free: [RollupKey: Int] = [:]
        for conversation in inputs.freeTierConversations {
            let key = RollupKey(
                day: conversation.day, metric: .conversationBillable, category: conversation.category,
                country: conversation.country, phone: conversation.phone)
            free[key, default: 0] += 1
        }
        // Messages priced by their webhook, as cells to take off the card-priced counts.
        var priced: [RollupKey: (count: Int, amount: Decimal)] = [:]
        for message in inputs.webhookPriced {
            let key = RollupKey(
                day: message.day, metric: .messageCharged, category: message.category, country: message.country,
                phone: message.phone)
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
                cells.deliver(cells.line("message", key), row.count)
            case .messageCharged:
                let lineKey = cells.line("message", key)
                if let pool = VolumeTierPricing.pool(of: key, markets: markets) {
                    // Counted here, priced below with the rest of its pool.
                    cells.charge(lineKey, row.count)
                    tieredCells[pool, default: []].append(row)
                    continue
                }
                var count = row.count
                if !priced.isEmpty, let webhook = priced[key] {
                    let covered = min(count, webhook.count)
                    // All of a cell's priced messages are in it, so `covered` is all of them.
                    cells.charge(lineKey, covered, amount: webhook.amount)
                    webhookPriced.count += covered
                    webhookPriced.amount += webhook.amount
                    count -= covered
                }
                if count > 0 { cells.chargeAtCardRate(lineKey, key, count) }
            case .conversationDelivered:
                cells.deliver(cells.line("conversation", key), row.count)
            case .conversationBillable:
                var count = row.count
                switch freeTier {
                case .none: break
                case .first:
                    let covered = min(count, free[key] ?? 0)
                    count -= covered
                    freeTierCount += covered
                    cells.coverByFreeTier(cells.line("conversation", key), covered)
                case .allService:
                    if key.category == PricingCategory.service {
                        freeTierCount += count
                        cells.coverByFreeTier(cells.line("conversation", key), count)
                        count = 0
                    }
                }
                chargedConversations += count
                if count > 0 { cells.chargeAtCardRate(cells.line("conversation", key), key, count) }
            case .messageSent, .messageRead, .messageFailed, .messageReceived, .messageFreeEntryPoint,
                .messageFreeCustomerService, .messageAppSent, .messageAgentSent:
                break
            }
        }

        let volumeTiers = priceTierPools(
            tieredCells, inputs: inputs, tally: &cells, markets: markets)

        var calls = Report.Calls.none
        var callPrices: [String: CallCharging.Price] = [:]
        if let callInputs = inputs.calls {
            let calendar = BillingCalendar(timezoneIdentifier: inputs.account.timezone) ?? .utc
            callPrices = callInputs.prices(of: inputs.account, rates: inputs.rates)
            calls = CallReportBuilder.build(callInputs, prices: callPrices, day: calendar.day(of:), markets: markets)
        }

        return PricedMonth(
            inputs: inputs, cells: cells, totals: totals, chargedConversations: chargedConversations,
            freeTierCount: freeTierCount, webhookPriced: webhookPriced, volumeTiers: volumeTiers, calls: calls,
            callPrices: callPrices)
    }

    /// Prices each pool's messages in order (marginal tiers), adds this account's share to its lines,
    /// and describes the pools for the report.
    private static func priceTierPools(
        _ ownCells: [TierPoolKey: [RollupRow]], inputs: ReportInputs, tally: inout ReportCellTally, markets: MarketTable
    ) -> [Report.VolumeTierLine] {
        let account = inputs.account.id
        let currency = inputs.account.currency
        let tiers = inputs.volumeTiers
        let portfolioCells = VolumeTierPricing.cells(of: tiers?.portfolioRollups ?? inputs.rollups, markets: markets)
        var lines: [TierPoolKey: Report.VolumeTierLine] = [:]
        for (pool, cells) in ownCells {
            // In delivery order when the pool passes a tier boundary; otherwise every message is in
            // the first tier and day order is enough (the day decides the rate).
            let runs: [VolumeTierPricing.Run]
            if let ordered = tiers?.orderedRuns[pool] {
                runs = ordered
            } else {
                runs = cells.sorted {
                    ($0.key.day, $0.key.category, $0.key.country, $0.key.phone)
                        < ($1.key.day, $1.key.category, $1.key.country, $1.key.phone)
                }
                .map {
                    VolumeTierPricing.Run(
                        account: account, day: $0.key.day, category: $0.key.category, country: $0.key.country,
                        phone: $0.key.phone, count: $0.count)
                }
            }
            let priced = VolumeTierPricing.price(runs, market: pool.market, currency: currency, card: inputs.rates)
            for (run, result) in zip(runs, priced) where run.account == account {
                let key = RollupKey(
                    day: run.day, metric: .messageCharged, category: run.category, country: run.country,
                    phone: run.phone)
                tally.price(tally.line("message", key), result)
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

extension Report.VolumeTierLine {
    /// A pool's line before anything is known of it.
    static func empty(_ pool: TierPoolKey) -> Report.VolumeTierLine {
        Report.VolumeTierLine(
            market: pool.market, category: pool.category, charged: 0, portfolioCharged: 0, tier: nil, metaTier: nil,
            metaTierUpdatedAt: nil)
    }
}
