import Foundation
import WhatsAppWebhook

extension Report {
    /// The current month's forecast (`forecast` in the report JSON): where the month is heading
    /// (`MonthForecast`), and what is left of its free tiers and volume tiers.
    public struct Forecast: Sendable, Equatable {
        /// What is left of a free tier: the account's conversations (CBP months) or a business phone
        /// number's free service messages (from 2026-10-01).
        public struct FreeTierLeft: Sendable, Equatable {
            /// `account`, or the phone number id.
            public var scope: String
            public var used: Int
            public var left: Int
        }

        /// How far a volume-tier pool is from its next tier.
        public struct TierLeft: Sendable, Equatable {
            public var market: String
            public var category: String
            public var tier: String
            /// Charged messages of the portfolio until the next tier starts; `nil` in the last tier.
            public var toNextTier: Int?
        }

        public var projection: MonthForecast
        public var freeTierLeft: [FreeTierLeft]
        public var tiers: [TierLeft]
    }
}

extension ReportBuilder.PricedMonth {
    /// The forecast at `asOf` (an instant inside the month): the cells' figures by day, the calls'
    /// cost on the day they were placed, projected; and the free and volume tiers left.
    func forecast(asOf: Int64, report: Report) -> Report.Forecast {
        let calendar = BillingCalendar(timezoneIdentifier: inputs.account.timezone) ?? .utc
        let month = inputs.month
        let range = calendar.range(of: month)
        var days: [DayKey: DailyFigures] = [:]
        var freeService: [String: Int] = [:]
        for (key, cell) in cells.cells {
            days[key.day, default: DailyFigures(day: key.day)].delivered += cell.delivered
            days[key.day, default: DailyFigures(day: key.day)].charged += cell.charged
            if !cell.cost.isZero { days[key.day, default: DailyFigures(day: key.day)].cost += cell.cost }
            if key.kind == "message", key.category == PricingCategory.service {
                freeService[key.phone, default: 0] += cell.delivered - cell.charged
            }
        }
        if let calls = inputs.calls {
            for call in calls.calls {
                guard let placedAt = call.placedAt, let rate = callPrices[call.callId]?.rate else { continue }
                let day = calendar.day(of: placedAt)
                days[day, default: DailyFigures(day: day)].cost += CallCharging.minutes(pulses: call.pulses) * rate
            }
        }
        let elapsed =
            Decimal(max(0, min(asOf, range.upperBound) - range.lowerBound))
            / Decimal(max(1, range.upperBound - range.lowerBound))
        let projection = MonthForecast.make(
            month: month, today: calendar.day(of: asOf), elapsed: elapsed, days: Array(days.values))

        let size = PricingRules.freeTierSize
        var freeTierLeft: [Report.Forecast.FreeTierLeft] = []
        if case .first = PricingRules.conversationFreeTier(for: month) {
            let used = report.conversations.freeTier
            freeTierLeft.append(.init(scope: "account", used: used, left: max(0, size - used)))
        } else if month.firstDay >= PricingEra.serviceFreeTier.day {
            for (phone, used) in freeService.sorted(by: { $0.key < $1.key }) where used > 0 {
                freeTierLeft.append(
                    .init(scope: phone.isEmpty ? "unknown" : phone, used: min(used, size), left: max(0, size - used)))
            }
        }
        let tiers = report.volumeTiers.compactMap { line -> Report.Forecast.TierLeft? in
            guard let tier = line.tier else { return nil }
            let upper = tier.split(separator: ":").last.flatMap { Int($0) }
            return .init(
                market: line.market, category: line.category, tier: tier,
                toNextTier: upper.map { max(0, $0 - line.portfolioCharged) })
        }
        return Report.Forecast(projection: projection, freeTierLeft: freeTierLeft, tiers: tiers)
    }
}
