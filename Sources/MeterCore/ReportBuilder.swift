import Foundation

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

/// Everything a month's report is computed from; gathered by the store, turned into a `Report` here.
public struct ReportInputs: Sendable {
    public var account: Account
    public var month: YearMonth
    public var rollups: [RollupRow]
    public var freeTierConversations: [FreeTierConversation]
    public var undeliveredMessages: UndeliveredCounts
    public var undeliveredConversations: UndeliveredCounts
    public var rates: RateCard

    public init(
        account: Account, month: YearMonth, rollups: [RollupRow], freeTierConversations: [FreeTierConversation],
        undeliveredMessages: UndeliveredCounts, undeliveredConversations: UndeliveredCounts, rates: RateCard
    ) {
        self.account = account
        self.month = month
        self.rollups = rollups
        self.freeTierConversations = freeTierConversations
        self.undeliveredMessages = undeliveredMessages
        self.undeliveredConversations = undeliveredConversations
        self.rates = rates
    }
}

/// Turns counts into a rated report. Pure: rating happens here, at report time, so a new rate card
/// needs no rebuild (DESIGN: "Rating is applied at report time from counts").
public enum ReportBuilder {
    public static func build(_ inputs: ReportInputs, markets: MarketTable = .standard) -> Report {
        let currency = inputs.account.currency
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

        struct LineKey: Hashable {
            var kind: String
            var category: String
            var market: String
            var country: String
        }
        var lines: [LineKey: Report.Line] = [:]
        var unrated: [LineKey: Int] = [:]
        var freeTierCount = 0
        var chargedConversations = 0

        func line(_ kind: String, _ key: RollupKey) -> LineKey {
            LineKey(
                kind: kind, category: key.category, market: markets.market(country: key.country, on: key.day),
                country: key.country)
        }
        func touch(_ lineKey: LineKey) {
            if lines[lineKey] == nil {
                lines[lineKey] = Report.Line(
                    kind: lineKey.kind, category: lineKey.category, market: lineKey.market, country: lineKey.country,
                    delivered: 0, charged: 0, cost: 0)
            }
        }
        func charge(_ lineKey: LineKey, _ key: RollupKey, _ count: Int) {
            touch(lineKey)
            lines[lineKey]!.charged += count
            if let rate = inputs.rates.rate(
                currency: currency, market: lineKey.market, category: key.category, on: key.day)
            {
                lines[lineKey]!.cost += rate * Decimal(count)
            } else {
                unrated[lineKey, default: 0] += count
            }
        }

        for row in inputs.rollups {
            let key = row.key
            switch key.metric {
            case .messageDelivered:
                let lineKey = line("message", key)
                touch(lineKey)
                lines[lineKey]!.delivered += row.count
            case .messageCharged:
                charge(line("message", key), key, row.count)
            case .conversationDelivered:
                let lineKey = line("conversation", key)
                touch(lineKey)
                lines[lineKey]!.delivered += row.count
            case .conversationBillable:
                var count = row.count
                switch freeTier {
                case .none: break
                case .first:
                    let covered = min(count, free[key] ?? 0)
                    count -= covered
                    freeTierCount += covered
                case .allService:
                    if key.category == "service" {
                        freeTierCount += count
                        count = 0
                    }
                }
                chargedConversations += count
                if count > 0 { charge(line("conversation", key), key, count) }
            case .messageSent, .messageRead, .messageFailed, .messageReceived:
                break
            }
        }

        let sortedLines = lines.values.sorted {
            ($0.kind, $0.category, $0.market, $0.country) < ($1.kind, $1.category, $1.market, $1.country)
        }
        func byCategory(_ kind: String) -> [String: Report.CategoryLine] {
            var sums: [String: (delivered: Int, charged: Int, cost: Decimal)] = [:]
            for line in sortedLines where line.kind == kind {
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
            for line in sortedLines where line.charged > 0 {
                var sum = sums[field(line)] ?? (0, 0)
                sum.charged += line.charged
                sum.cost += line.cost
                sums[field(line)] = sum
            }
            return sums.mapValues { Report.ChargedLine(charged: $0.charged, cost: formatMoney($0.cost)) }
        }
        let total = sortedLines.reduce(Decimal(0)) { $0 + $1.cost }
        let unratedUnits = unrated.map {
            Report.Unrated.Unit(
                kind: $0.key.kind, category: $0.key.category, market: $0.key.market, country: $0.key.country,
                count: $0.value)
        }.sorted { ($0.kind, $0.category, $0.market, $0.country) < ($1.kind, $1.category, $1.market, $1.country) }

        let delivered = totals[.conversationDelivered] ?? 0
        return Report(
            account: inputs.account.id, month: inputs.month.description, timezone: inputs.account.timezone,
            currency: currency,
            conversations: Report.Conversations(
                delivered: delivered, charged: chargedConversations,
                dropped: inputs.undeliveredConversations.dropped,
                pending: inputs.undeliveredConversations.total - inputs.undeliveredConversations.dropped,
                freeTier: freeTierCount, freeEntryPoint: delivered - (totals[.conversationBillable] ?? 0),
                byCategory: byCategory("conversation")),
            messages: Report.Messages(
                sent: totals[.messageSent] ?? 0, delivered: totals[.messageDelivered] ?? 0,
                read: totals[.messageRead] ?? 0, failed: totals[.messageFailed] ?? 0,
                received: totals[.messageReceived] ?? 0, charged: totals[.messageCharged] ?? 0,
                dropped: inputs.undeliveredMessages.dropped,
                pending: inputs.undeliveredMessages.total - inputs.undeliveredMessages.dropped,
                byCategory: byCategory("message")),
            byMarket: charged { $0.market }, byCountry: charged { $0.country.isEmpty ? "unknown" : $0.country },
            cost: Report.Cost(total: formatMoney(total), currency: currency),
            unrated: Report.Unrated(count: unratedUnits.reduce(0) { $0 + $1.count }, units: unratedUnits),
            lines: sortedLines)
    }
}
