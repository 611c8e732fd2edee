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
        #expect(Account.validate(timezone: "Asia/Kolkata", currency: "INR").isEmpty)
        #expect(Account.validate(timezone: "Mars/Olympus", currency: "usd").count == 2)
    }
}
