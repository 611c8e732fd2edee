import Foundation

/// One day's figures of a month so far: what the forecast projects from.
public struct DailyFigures: Sendable, Equatable {
    public var day: DayKey
    public var delivered: Int
    public var charged: Int
    /// Messages, conversations and calls, in the account's currency.
    public var cost: Decimal

    public init(day: DayKey, delivered: Int = 0, charged: Int = 0, cost: Decimal = 0) {
        self.day = day
        self.delivered = delivered
        self.charged = charged
        self.cost = cost
    }
}

/// Where the current month is heading: its delivered and charged units and its cost at month end,
/// projected from the days so far, with a range.
///
/// How (`method`, "same_weekday"): the month's actual figures, plus, for each day still to come,
/// the mean of the complete days so far that fell on the same weekday (traffic follows the week:
/// a Monday is forecast from the month's Mondays), and for the rest of today that mean less what
/// today already has. Where no complete day shares the weekday, the mean of all complete days;
/// before the first complete day, the straight line. Days before the month's first figure are not
/// counted as quiet days: metering had not begun. The range is the lowest and the highest of
/// three projections: same weekday, the straight line (the actual figures scaled by the share of
/// the month's time elapsed) and the last seven complete days' mean run on. Pure: the report
/// computes it for the month `now` falls in.
public struct MonthForecast: Sendable, Equatable {
    public struct Estimate<Value: Sendable & Equatable>: Sendable, Equatable {
        public var estimate: Value
        public var low: Value
        public var high: Value

        public init(estimate: Value, low: Value, high: Value) {
            self.estimate = estimate
            self.low = low
            self.high = high
        }
    }

    public static let method = "same_weekday"

    /// Today, in the account's time zone.
    public var asOf: DayKey
    /// Days of the month begun so far, today included.
    public var daysElapsed: Int
    public var daysInMonth: Int
    public var delivered: Estimate<Int>
    public var charged: Estimate<Int>
    public var cost: Estimate<Decimal>

    /// - Parameters:
    ///   - days: the month's figures by day, up to today (days with nothing may be missing).
    ///   - elapsed: the share of the month's time gone by at the forecast's instant (0...1).
    public static func make(month: YearMonth, today: DayKey, elapsed: Decimal, days: [DailyFigures]) -> MonthForecast {
        let daysInMonth = month.dayCount
        let elapsedDays = Int(today - month.firstDay) + 1
        func project(_ value: (DailyFigures) -> Decimal) -> Estimate<Decimal> {
            projection(
                days.map { ($0.day, value($0)) }, month: month, today: today, elapsed: elapsed)
        }
        func whole(_ estimate: Estimate<Decimal>) -> Estimate<Int> {
            func round(_ value: Decimal) -> Int { NSDecimalNumber(decimal: value.rounded(places: 0)).intValue }
            return Estimate(estimate: round(estimate.estimate), low: round(estimate.low), high: round(estimate.high))
        }
        let cost = project(\.cost)
        return MonthForecast(
            asOf: today, daysElapsed: elapsedDays, daysInMonth: daysInMonth,
            delivered: whole(project { Decimal($0.delivered) }), charged: whole(project { Decimal($0.charged) }),
            cost: Estimate(
                estimate: cost.estimate.rounded(places: 4), low: cost.low.rounded(places: 4),
                high: cost.high.rounded(places: 4)))
    }

    /// The three projections of one figure, and their range.
    static func projection(
        _ values: [(day: DayKey, value: Decimal)], month: YearMonth, today: DayKey, elapsed: Decimal
    ) -> Estimate<Decimal> {
        var byDay: [DayKey: Decimal] = [:]
        for (day, value) in values where day >= month.firstDay && day <= today { byDay[day, default: 0] += value }
        let actual = byDay.values.reduce(Decimal(0), +)
        let todaySoFar = byDay[today] ?? 0
        // Complete days, with the days that had nothing as zeros; but the days before the month's
        // first figure are not quiet days, they are days before metering began (a new ledger, a
        // new account): they say nothing of the days to come.
        let first = byDay.filter { !$0.value.isZero }.keys.min() ?? today
        let complete = month.days.filter { $0 < today && $0 >= first }.map { (day: $0, value: byDay[$0] ?? 0) }
        let coming = month.days.filter { $0 > today }

        func mean(_ values: [Decimal]) -> Decimal? {
            values.isEmpty ? nil : values.reduce(Decimal(0), +) / Decimal(values.count)
        }
        let straight = elapsed > 0 ? actual / min(elapsed, 1) : actual
        let straightDaily = straight / Decimal(month.dayCount)
        let overall = mean(complete.map(\.value)) ?? straightDaily
        func weekdayMean(_ day: DayKey) -> Decimal {
            mean(complete.filter { weekday($0.day) == weekday(day) }.map(\.value)) ?? overall
        }
        // A day is forecast to end at least where it already is.
        func restOfToday(_ expected: Decimal) -> Decimal { max(0, expected - todaySoFar) }

        var sameWeekday = actual + restOfToday(weekdayMean(today))
        for day in coming { sameWeekday += weekdayMean(day) }
        let recentMean = mean(complete.suffix(7).map(\.value)) ?? straightDaily
        let recent = actual + restOfToday(recentMean) + recentMean * Decimal(coming.count)

        let all = [sameWeekday, straight, recent]
        return Estimate(estimate: sameWeekday, low: all.min()!, high: all.max()!)
    }

    /// 0 for Sunday … 6 for Saturday (1970-01-01 was a Thursday).
    static func weekday(_ day: DayKey) -> Int {
        let days = BillingCalendar.daysSinceEpoch(of: day)
        return Int(((days % 7) + 7 + 4) % 7)
    }
}
