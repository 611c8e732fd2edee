import Foundation

/// A calendar day as `yyyymmdd` (e.g. 20261031). Ordered like the dates it names, cheap to store
/// and to compare with rate-card effective dates.
public typealias DayKey = Int32

/// A billing month, e.g. 2026-11.
public struct YearMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int

    public init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// The month a day is in.
    public init(containing day: DayKey) {
        self.init(year: Int(day / 10_000), month: Int(day / 100 % 100))
    }

    /// Parses `YYYY-MM`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]),
            let month = Int(parts[1]), (1...12).contains(month), year >= 1970
        else { return nil }
        self.init(year: year, month: month)
    }

    public var description: String { String(format: "%04d-%02d", year, month) }
    public var firstDay: DayKey { DayKey(year * 10000 + month * 100 + 1) }
    public var lastPossibleDay: DayKey { DayKey(year * 10000 + month * 100 + 31) }
    /// The month's real last day (28 to 31).
    public var lastDay: DayKey { DayKey(year * 10000 + month * 100 + dayCount) }
    public var dayCount: Int { DayKeys.daysIn(year: year, month: month) }
    /// Every day of the month, in order.
    public var days: [DayKey] { (0..<dayCount).map { firstDay + DayKey($0) } }
    public var next: YearMonth {
        month == 12 ? YearMonth(year: year + 1, month: 1) : YearMonth(year: year, month: month + 1)
    }
    public var previous: YearMonth {
        month == 1 ? YearMonth(year: year - 1, month: 12) : YearMonth(year: year, month: month - 1)
    }

    public static func < (lhs: YearMonth, rhs: YearMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }
}

public enum DayKeys {
    /// Parses `YYYY-MM-DD` into a `DayKey`, checking that the date exists.
    public static func parse(_ text: String) -> DayKey? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), day >= 1, day <= daysIn(year: year, month: month)
        else { return nil }
        return DayKey(year * 10000 + month * 100 + day)
    }

    public static func format(_ day: DayKey) -> String {
        String(format: "%04d-%02d-%02d", Int(day / 10000), Int(day / 100 % 100), Int(day % 100))
    }

    static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// Local dates of an account. Every billing month, day, free-tier reset and rate effective date is
/// read in the account's IANA time zone, never in UTC (reference §13.15).
public struct BillingCalendar: Sendable {
    public let timeZone: TimeZone
    private let calendar: Calendar

    public init?(timezoneIdentifier: String) {
        guard let zone = TimeZone(identifier: timezoneIdentifier) else { return nil }
        self.init(timeZone: zone)
    }

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    public static let utc = BillingCalendar(timeZone: TimeZone(identifier: "UTC")!)

    /// The local day of a UTC instant: the civil date of the instant shifted by the zone's offset at
    /// that instant (cheaper than calendar components, and the same by definition).
    ///
    /// Total: webhook timestamps are checked at the edge (`InputRules`), but an instant outside
    /// years 1 to 9999 is clamped to them here rather than overflowing `DayKey`, so no value that
    /// reaches the calendar can trap the process.
    public func day(of epochSeconds: Int64) -> DayKey {
        let instant = min(max(epochSeconds, Self.earliestInstant), Self.latestInstant)
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
        let local = instant + Int64(offset)
        return Self.civilDay(daysSinceEpoch: local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
    }

    /// 0001-01-02 and 9999-12-30 UTC: a day inside years 1 to 9999 in every time zone.
    static let earliestInstant: Int64 = -62_135_510_400
    static let latestInstant: Int64 = 253_402_128_000

    /// Gregorian date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civilDay(daysSinceEpoch days: Int64) -> DayKey {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return DayKey(year * 10_000 + month * 100 + day)
    }

    /// The UTC instant at which a local day starts (its first instant when a time zone change skips
    /// midnight). Foundation answers for any real date; for a day it cannot place, the day's UTC
    /// midnight shifted by the zone's offset is used instead of trapping.
    public func start(of day: DayKey) -> Int64 {
        let parts = DateComponents(year: Int(day / 10000), month: Int(day / 100 % 100), day: Int(day % 100))
        if let date = calendar.date(from: parts) {
            return Int64(calendar.startOfDay(for: date).timeIntervalSince1970)
        }
        let midnight = Self.daysSinceEpoch(of: day) * 86_400
        return midnight - Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(midnight))))
    }

    /// Day count since 1970-01-01 of a Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysSinceEpoch(of day: DayKey) -> Int64 {
        let month = Int64(day / 100 % 100)
        let year = Int64(day / 10_000) - (month <= 2 ? 1 : 0)
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + Int64(day % 100) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// `[start, end)` of the local days `first...last`, in UTC epoch seconds.
    public func range(from first: DayKey, through last: DayKey) -> Range<Int64> {
        start(of: first)..<start(of: Self.civilDay(daysSinceEpoch: Self.daysSinceEpoch(of: last) + 1))
    }

    /// `[start, end)` of a billing month, in UTC epoch seconds.
    public func range(of month: YearMonth) -> Range<Int64> {
        start(of: month.firstDay)..<start(of: month.next.firstDay)
    }
}

/// Memoises `BillingCalendar.day(of:)` per quarter hour. Every time zone in use since 1970 has
/// offsets and transitions on quarter hours, so no quarter hour straddles a local midnight; the hot
/// ingest path then pays a dictionary lookup instead of a time zone computation per timestamp.
///
/// Shared by reference and kept across transactions (a per-batch cache would recompute the same
/// days for every batch); a lock makes it safe to share. Bounded: it starts over past `capacity`
/// quarter hours (five years' worth), so memory does not grow with the amount of data.
public final class DayKeyCache: @unchecked Sendable {
    public let calendar: BillingCalendar
    private let lock = NSLock()
    private var days: [Int64: DayKey] = [:]
    private let capacity = 175_000

    public init(calendar: BillingCalendar) {
        self.calendar = calendar
    }

    public func day(of epochSeconds: Int64) -> DayKey {
        // Clamped as `BillingCalendar.day(of:)` clamps, so that the rounding cannot overflow either.
        let instant = min(max(epochSeconds, BillingCalendar.earliestInstant), BillingCalendar.latestInstant)
        let quarter = instant >= 0 ? instant / 900 : (instant - 899) / 900
        lock.lock()
        defer { lock.unlock() }
        if let day = days[quarter] { return day }
        let day = calendar.day(of: quarter * 900)
        if days.count >= capacity { days.removeAll(keepingCapacity: true) }
        days[quarter] = day
        return day
    }
}

/// One `DayKeyCache` per time zone, shared by every transaction of a store.
public final class DayKeyCaches: @unchecked Sendable {
    private let lock = NSLock()
    private var caches: [String: DayKeyCache] = [:]

    public init() {}

    /// The cache for an IANA zone; an unknown zone (never stored: accounts are validated) counts as UTC.
    public func cache(for timezone: String) -> DayKeyCache {
        lock.lock()
        defer { lock.unlock() }
        if let cache = caches[timezone] { return cache }
        let cache = DayKeyCache(calendar: BillingCalendar(timezoneIdentifier: timezone) ?? .utc)
        caches[timezone] = cache
        return cache
    }
}

extension BillingCalendar {
    /// `YYYY-MM-DD HH:MM` of an instant in this calendar's zone (alert messages, the dashboard).
    public func timestamp(_ epochSeconds: Int64) -> String {
        let day = self.day(of: epochSeconds)
        let seconds = epochSeconds - start(of: day)
        return DayKeys.format(day) + String(format: " %02d:%02d", Int(seconds / 3_600), Int(seconds % 3_600 / 60))
    }
}
