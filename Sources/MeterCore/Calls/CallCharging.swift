import Foundation

/// How Meta charges business-initiated calls (reference §7.11): per six-second pulse, a started pulse
/// counting whole; billed minutes are pulses / 10; the rate is the calling card's for the called
/// number's market, at the volume tier that the portfolio's minutes in that market and month reach,
/// the whole call at the tier it reaches.
public enum CallCharging {
    public static let pulseSeconds: Int64 = 6
    /// The calling cards' category (their rates and tier tables are stored under it).
    public static var category: String { RateCardEdition.callingCategory }

    /// Pulses of a call of `seconds` (0 for an unanswered call).
    public static func pulses(seconds: Int64) -> Int64 {
        seconds <= 0 ? 0 : (seconds + pulseSeconds - 1) / pulseSeconds
    }

    /// Billed minutes of `pulses` pulses, exact (tenths of a minute).
    public static func minutes(pulses: Int64) -> Decimal {
        Decimal(pulses) / 10
    }

    /// A charged call of a portfolio's month, as the tier pools need it.
    public struct TierUnit: Sendable, Equatable {
        public var account: String
        public var callId: String
        public var placedAt: Int64
        /// The local day it is placed on, in its own account's time zone (dates its card and market).
        public var day: DayKey
        public var market: String
        public var pulses: Int64

        public init(account: String, callId: String, placedAt: Int64, day: DayKey, market: String, pulses: Int64) {
            self.account = account
            self.callId = callId
            self.placedAt = placedAt
            self.day = day
            self.market = market
            self.pulses = pulses
        }
    }

    /// What a charged call costs per minute: the rate, and the tier it was priced at (when the card
    /// has a tier table for its market); no rate when the card in force has none (unrated).
    public struct Price: Sendable, Equatable {
        public var rate: Decimal?
        public var tier: String?
    }

    /// Prices a portfolio month's charged calls in `currency`: each market's minutes accrue in the
    /// order the calls were placed (then account and call id, so ties are stable), and each call is
    /// priced whole at the tier holding the minute its last pulse reaches.
    public static func prices(
        of units: [TierUnit], currency: String, rates: RateCard
    ) -> [String: [String: Price]] {
        var prices: [String: [String: Price]] = [:]
        var pulsesSoFar: [String: Int64] = [:]
        let ordered = units.sorted { ($0.placedAt, $0.account, $0.callId) < ($1.placedAt, $1.account, $1.callId) }
        for unit in ordered {
            let reached = pulsesSoFar[unit.market, default: 0] + unit.pulses
            pulsesSoFar[unit.market] = reached
            // The minute the call's last pulse falls in: 0.1 to 1.0 minutes is minute 1.
            let minute = Int((reached + 9) / 10)
            let price: Price
            if let table = rates.tierTable(currency: currency, market: unit.market, category: category, on: unit.day) {
                let tier = RateCard.tier(containing: minute, in: table)
                price = Price(rate: tier?.rate, tier: tier?.label)
            } else {
                price = Price(
                    rate: rates.rate(currency: currency, market: unit.market, category: category, on: unit.day))
            }
            prices[unit.account, default: [:]][unit.callId] = price
        }
        return prices
    }
}
