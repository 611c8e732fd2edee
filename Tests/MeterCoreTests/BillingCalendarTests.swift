import Foundation
import Testing

@testable import MeterCore

@Suite("Billing calendar in the account's time zone")
struct BillingCalendarTests {
    @Test(
        "local day of an instant",
        arguments: [
            // 2023-06-30T20:00Z is already July 1st in India (+05:30) and still June 30th in Los Angeles.
            ("Asia/Kolkata", Int64(1_688_155_200), DayKey(2023_07_01)),
            ("America/Los_Angeles", 1_688_155_200, 2023_06_30),
            ("UTC", 1_688_155_200, 2023_06_30),
            // 2025-12-31T18:14:59Z is 23:59:59 on Dec 31st in Nepal (+05:45); one second later is 2026.
            ("Asia/Kathmandu", 1_767_204_899, 2025_12_31),
            ("Asia/Kathmandu", 1_767_204_900, 2026_01_01),
            // 2024-11-01T06:59:59Z is 2024-10-31 23:59:59 PDT.
            ("America/Los_Angeles", 1_730_444_399, 2024_10_31),
            ("America/Los_Angeles", 1_730_444_400, 2024_11_01),
        ])
    func day(zone: String, instant: Int64, expected: DayKey) throws {
        let calendar = try #require(BillingCalendar(timezoneIdentifier: zone))
        #expect(calendar.day(of: instant) == expected)
    }

    @Test("month range starts and ends at local midnight")
    func monthRange() throws {
        let india = try #require(BillingCalendar(timezoneIdentifier: "Asia/Kolkata"))
        let range = india.range(of: YearMonth("2023-07")!)
        #expect(range.lowerBound == 1_688_149_800)  // 2023-06-30T18:30:00Z
        #expect(range.upperBound == 1_690_828_200)  // 2023-07-31T18:30:00Z
        let losAngeles = try #require(BillingCalendar(timezoneIdentifier: "America/Los_Angeles"))
        // March 2024 has a DST change: 31 days minus one hour.
        let march = losAngeles.range(of: YearMonth("2024-03")!)
        #expect(march.upperBound - march.lowerBound == 31 * 86_400 - 3_600)
    }

    @Test(
        "the quarter-hour day cache agrees with the calendar everywhere",
        arguments: [
            "UTC", "Asia/Kolkata", "Asia/Kathmandu", "America/Los_Angeles", "Australia/Lord_Howe", "Pacific/Chatham",
            "America/St_Johns", "Europe/London",
        ])
    func cacheAgrees(zone: String) throws {
        let calendar = try #require(BillingCalendar(timezoneIdentifier: zone))
        let cache = DayKeyCache(calendar: calendar)
        var rng = SplitMix64(state: 7)
        for _ in 0..<3_000 {
            // Instants from 1970 to 2100, many close to a quarter-hour boundary.
            let base = Int64.random(in: 0...4_102_444_800, using: &rng)
            let instant = base - base % 900 + [0, 1, 899, 450].randomElement(using: &rng)!
            #expect(cache.day(of: instant) == Self.oracle(zone, instant))
        }
    }

    /// Foundation's calendar, as an independent oracle for the offset arithmetic and the cache.
    static func oracle(_ zone: String, _ instant: Int64) -> DayKey {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        let parts = calendar.dateComponents(
            [.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(instant)))
        return DayKey(parts.year! * 10000 + parts.month! * 100 + parts.day!)
    }

    @Test("months and days parse strictly")
    func parsing() {
        #expect(YearMonth("2026-11") == YearMonth(year: 2026, month: 11))
        #expect(YearMonth("2026-13") == nil)
        #expect(YearMonth("2026-1") == nil)
        #expect(YearMonth("November") == nil)
        #expect(DayKeys.parse("2024-02-29") == 2024_02_29)
        #expect(DayKeys.parse("2023-02-29") == nil)
        #expect(DayKeys.format(2026_10_01) == "2026-10-01")
    }

    @Test("accounts validate their time zone and currency")
    func accountValidation() {
        #expect(Account.validate(id: "1", timezone: "Asia/Kolkata", currency: "INR").isEmpty)
        #expect(Account.validate(id: "1", timezone: "Mars/Olympus", currency: "usd").count == 2)
    }

    @Test("account ids follow the webhook id rule")
    func accountIdValidation() {
        #expect(Account.validate(id: "102290129340398", timezone: "UTC", currency: "USD").isEmpty)
        #expect(Account.validate(id: "on-premises_1.a", timezone: "UTC", currency: "USD").isEmpty)
        for bad in ["", "X\u{0}Y", "acct.\u{e9}", "a/b", "a b", String(repeating: "1", count: 65)] {
            #expect(Account.validate(id: bad, timezone: "UTC", currency: "USD").count == 1, "\(bad)")
        }
    }

    @Test(
        "calendar arithmetic never traps: any instant gives a day within years 1 to 9999",
        arguments: [Int64.max, Int64.min, 7_000_000_000_000, -7_000_000_000_000, 253_402_300_799, -62_135_596_800])
    func extremeInstants(_ instant: Int64) {
        for zone in ["UTC", "Asia/Kolkata", "Pacific/Kiritimati", "Pacific/Pago_Pago"] {
            let calendar = BillingCalendar(timezoneIdentifier: zone)!
            let day = calendar.day(of: instant)
            #expect((0001_01_01...9999_12_31).contains(day), "\(zone) \(instant) → \(day)")
            #expect(DayKeyCache(calendar: calendar).day(of: instant) == day)
            _ = calendar.start(of: day)
        }
    }

    @Test("start of a day is the inverse of day(of:) at the extremes of the accepted range")
    func startOfDayAtLimits() {
        let kolkata = BillingCalendar(timezoneIdentifier: "Asia/Kolkata")!
        // (Foundation's Gregorian calendar is Julian before 1582, so the check stays after it.)
        for day: DayKey in [1970_01_01, 2009_01_01, 2099_12_31, 9999_12_29] {
            #expect(kolkata.day(of: kolkata.start(of: day)) == day)
        }
        #expect(BillingCalendar.daysSinceEpoch(of: 1970_01_01) == 0)
        #expect(BillingCalendar.daysSinceEpoch(of: 2024_02_29) == 19_782)
    }
}
