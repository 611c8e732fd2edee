import Foundation
import Testing

@testable import MeterCore

/// The month-end forecast on synthetic months whose answer is known: a week of busy weekdays and
/// quiet weekends, forecast from its first days.
@Suite("Month forecast")
struct MonthForecastTests {
    static let february = YearMonth(year: 2026, month: 2)

    /// 100 charged messages on weekdays, 10 on weekends, a cent each, on each day before `today`;
    /// `todaySoFar` on today.
    static func days(before today: DayKey, todaySoFar: Int) -> [DailyFigures] {
        var days: [DailyFigures] = []
        for day in february.days where day <= today {
            let weekend = [0, 6].contains(MonthForecast.weekday(day))
            let charged = day == today ? todaySoFar : (weekend ? 10 : 100)
            days.append(DailyFigures(day: day, delivered: charged, charged: charged, cost: Decimal(charged) / 100))
        }
        return days
    }

    @Test("weekdays: 2026-02-01 is a Sunday, 1970-01-01 a Thursday")
    func weekdays() {
        #expect(MonthForecast.weekday(2026_02_01) == 0)
        #expect(MonthForecast.weekday(2026_02_07) == 6)
        #expect(MonthForecast.weekday(1970_01_01) == 4)
    }

    @Test("same weekday: the month the pattern makes, whatever day it is forecast from")
    func sameWeekday() {
        // The month under the pattern: 20 weekdays × 100 + 8 weekend days × 10.
        for (today, soFar, elapsed) in [
            (DayKey(2026_02_15), 0, Decimal(14) / 28), (2026_02_10, 50, Decimal(string: "9.5")! / 28),
            (2026_02_28, 10, 1),
        ] {
            let forecast = MonthForecast.make(
                month: Self.february, today: today, elapsed: elapsed, days: Self.days(before: today, todaySoFar: soFar))
            #expect(forecast.charged.estimate == 2_080, "\(today)")
            #expect(forecast.cost.estimate == Decimal(string: "20.8"), "\(today)")
            #expect(forecast.daysInMonth == 28)
        }
    }

    @Test("the range: the straight line and the last seven days' mean beside the same-weekday estimate")
    func range() {
        // Tuesday 2026-02-10 at noon: 630 before today, 50 so far today (9.5 days of 28 gone).
        let forecast = MonthForecast.make(
            month: Self.february, today: 2026_02_10, elapsed: Decimal(string: "9.5")! / 28,
            days: Self.days(before: 2026_02_10, todaySoFar: 50))
        #expect(forecast.daysElapsed == 10)
        // Straight line 680 × 28 / 9.5 = 2004.2; the last seven days (520 / 7 a day) give 2041.4.
        #expect(forecast.charged == .init(estimate: 2_080, low: 2_004, high: 2_080))
        #expect(forecast.cost.low == Decimal(string: "20.0421"))
        #expect(forecast.cost.high == Decimal(string: "20.8"))
    }

    @Test("the first hours of a month: the straight line, and nothing from nothing")
    func firstDay() {
        let early = MonthForecast.make(
            month: Self.february, today: 2026_02_01, elapsed: Decimal(1) / 56,
            days: [DailyFigures(day: 2026_02_01, delivered: 5, charged: 5, cost: 1)])
        // Half a day with 5: the straight line says 280 for the month, and so does every projection.
        #expect(early.charged == .init(estimate: 280, low: 280, high: 280))
        let empty = MonthForecast.make(month: Self.february, today: 2026_02_20, elapsed: Decimal(19) / 28, days: [])
        #expect(empty.charged == .init(estimate: 0, low: 0, high: 0))
        #expect(empty.cost.estimate == 0)
    }

    @Test("days before the first figure are not quiet days: a ledger started mid-month")
    func meteringStartedLate() {
        // 100 a day from 2026-02-10 (a Tuesday) to 2026-02-14, forecast at the start of the 15th.
        let days = (10...14).map { DailyFigures(day: DayKey(2026_02_00 + $0), delivered: 100, charged: 100, cost: 1) }
        let forecast = MonthForecast.make(
            month: Self.february, today: 2026_02_15, elapsed: Decimal(14) / 28, days: days)
        // 500 so far and 14 days to come (today included) at 100: not 500 + 14 × 500 / 14.
        #expect(forecast.charged.estimate == 1_900)
        // The straight line counts the whole month's time: 500 in half the month.
        #expect(forecast.charged.low == 1_000)
        // A new ledger on its first day: the straight line's daily rate (2) for the days to come, not
        // the figures so far (today, at 3, is already past it).
        let firstDay = MonthForecast.make(
            month: Self.february, today: 2026_02_02, elapsed: Decimal(string: "1.5")! / 28,
            days: [DailyFigures(day: 2026_02_02, delivered: 3, charged: 3, cost: 3)])
        #expect(firstDay.charged == .init(estimate: 55, low: 55, high: 56))
    }
}
