import Foundation
import WhatsAppWebhook

extension Report {
    /// A month's voice calls (reference §7.11): every call placed in the month, and what the
    /// charged ones cost from the calling card.
    public struct Calls: Sendable, Equatable {
        /// A breakdown line: calls, charged calls, their billed minutes and cost.
        public struct Line: Sendable, Equatable {
            public var count: Int
            public var charged: Int
            public var billedMinutes: Decimal
            public var cost: Decimal
            /// Charged calls with no rate on the card in force (not in `cost`).
            public var unrated: Int

            public init(
                count: Int = 0, charged: Int = 0, billedMinutes: Decimal = 0, cost: Decimal = 0, unrated: Int = 0
            ) {
                self.count = count
                self.charged = charged
                self.billedMinutes = billedMinutes
                self.cost = cost
                self.unrated = unrated
            }
        }

        public var count: Int
        /// Picked up (a duration was sent).
        public var answered: Int
        public var businessInitiated: Int
        public var userInitiated: Int
        /// Calls whose direction no event said (their connect and terminate never arrived).
        public var unknownDirection: Int
        public var charged: Int
        public var billedMinutes: Decimal
        public var cost: Decimal
        public var unrated: Int
        /// Mean duration of the answered calls, seconds (0 without any).
        public var averageDuration: Decimal
        /// Terminated `FAILED` with a duration: charged, but Meta does not document it.
        public var failedWithDuration: Int
        public var byMarket: [String: Line]
        public var byPhoneNumber: [String: Line]
        /// Calling volume tiers the charged calls reached, by market (`1:50000`, …).
        public var tiers: [String: [String]]

        public static let none = Calls(
            count: 0, answered: 0, businessInitiated: 0, userInitiated: 0, unknownDirection: 0, charged: 0,
            billedMinutes: 0, cost: 0, unrated: 0, averageDuration: 0, failedWithDuration: 0, byMarket: [:],
            byPhoneNumber: [:], tiers: [:])

        public init(
            count: Int, answered: Int, businessInitiated: Int, userInitiated: Int, unknownDirection: Int, charged: Int,
            billedMinutes: Decimal, cost: Decimal, unrated: Int, averageDuration: Decimal, failedWithDuration: Int,
            byMarket: [String: Line], byPhoneNumber: [String: Line], tiers: [String: [String]]
        ) {
            self.count = count
            self.answered = answered
            self.businessInitiated = businessInitiated
            self.userInitiated = userInitiated
            self.unknownDirection = unknownDirection
            self.charged = charged
            self.billedMinutes = billedMinutes
            self.cost = cost
            self.unrated = unrated
            self.averageDuration = averageDuration
            self.failedWithDuration = failedWithDuration
            self.byMarket = byMarket
            self.byPhoneNumber = byPhoneNumber
            self.tiers = tiers
        }
    }
}

/// What a month's call report is computed from; the store gathers it.
public struct CallInputs: Sendable {
    /// The account's calls placed in the month (in its time zone).
    public var calls: [CallRecord]
    /// The charged calls of every account of the portfolio, this one included, each placed in the
    /// month in its own time zone: the calling tier pools.
    public var portfolioCharged: [CallCharging.TierUnit]

    public init(calls: [CallRecord], portfolioCharged: [CallCharging.TierUnit]) {
        self.calls = calls
        self.portfolioCharged = portfolioCharged
    }

    /// The price of each of `account`'s charged calls, by call id, in its currency (the portfolio's
    /// calling tiers).
    public func prices(of account: Account, rates: RateCard) -> [String: CallCharging.Price] {
        CallCharging.prices(of: portfolioCharged, currency: account.currency, rates: rates)[account.id] ?? [:]
    }

    /// A charged call as the tier pools need it, dated in its account's time zone.
    public static func tierUnit(_ call: CallRecord, days: DayKeyCache, markets: MarketTable) -> CallCharging.TierUnit? {
        guard call.isCharged, let placedAt = call.placedAt else { return nil }
        let day = days.day(of: placedAt)
        return CallCharging.TierUnit(
            account: call.account, callId: call.callId, placedAt: placedAt, day: day,
            market: markets.market(country: call.country, on: day), pulses: call.pulses)
    }
}

/// Turns a month's calls into the report's `calls` section. Pure.
public enum CallReportBuilder {
    /// `day` is the local day of an instant in the account's time zone; `prices` are the account's
    /// charged calls' (`CallInputs.prices`).
    public static func build(
        _ inputs: CallInputs, prices: [String: CallCharging.Price], day: (Int64) -> DayKey,
        markets: MarketTable = .standard
    ) -> Report.Calls {
        guard !inputs.calls.isEmpty else { return .none }
        var calls = Report.Calls.none
        var answeredSeconds: Int64 = 0
        var tiers: [String: Set<String>] = [:]
        for call in inputs.calls {
            let market = markets.market(country: call.country, on: call.placedAt.map(day) ?? 0)
            var line = Report.Calls.Line(count: 1)
            calls.count += 1
            switch call.direction {
            case .businessInitiated?: calls.businessInitiated += 1
            case .userInitiated?: calls.userInitiated += 1
            case nil: calls.unknownDirection += 1
            }
            if call.isAnswered {
                calls.answered += 1
                answeredSeconds += call.duration ?? 0
            }
            if call.failedWithDuration { calls.failedWithDuration += 1 }
            if call.isCharged {
                let minutes = CallCharging.minutes(pulses: call.pulses)
                line.charged = 1
                line.billedMinutes = minutes
                if let price = prices[call.callId], let rate = price.rate {
                    line.cost = minutes * rate
                    if let tier = price.tier { tiers[market, default: []].insert(tier) }
                } else {
                    line.unrated = 1
                }
            }
            calls.charged += line.charged
            calls.billedMinutes += line.billedMinutes
            calls.cost += line.cost
            calls.unrated += line.unrated
            calls.byMarket[market, default: .init()].add(line)
            calls.byPhoneNumber[call.phoneNumberId ?? "unknown", default: .init()].add(line)
        }
        if calls.answered > 0 { calls.averageDuration = Decimal(answeredSeconds) / Decimal(calls.answered) }
        let start = { (label: String) in Int(label.prefix { $0 != ":" }) ?? 0 }
        calls.tiers = tiers.mapValues { $0.sorted { start($0) < start($1) } }
        return calls
    }
}

extension Report.Calls.Line {
    mutating func add(_ other: Self) {
        count += other.count
        charged += other.charged
        billedMinutes += other.billedMinutes
        cost += other.cost
        unrated += other.unrated
    }
}
