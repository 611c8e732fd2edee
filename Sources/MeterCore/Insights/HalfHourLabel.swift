import Foundation

/// How a half-hour is named in the insights: its start in the account's local time with the
/// offset in force, `2026-02-03T10:30+01:00`. Unambiguous on the night clocks go back (the two
/// 01:30s differ by offset), sorts in time order within one time zone, and reads as ISO 8601.
public enum HalfHourLabel {
    public static func format(_ halfHour: Int64, in calendar: BillingCalendar) -> String {
        let offset = calendar.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(halfHour)))
        let local = halfHour + Int64(offset)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let day = BillingCalendar.civilDay(daysSinceEpoch: days)
        let minutes = (local - days * 86_400) / 60
        let sign = offset < 0 ? "-" : "+"
        let offsetMinutes = abs(offset) / 60
        return DayKeys.format(day)
            + String(
                format: "T%02d:%02d%@%02d:%02d", Int(minutes / 60), Int(minutes % 60), sign, offsetMinutes / 60,
                offsetMinutes % 60)
    }

    /// The UTC epoch second a label names, or `nil` when it is not one `format` writes.
    public static func parse(_ label: String) -> Int64? {
        let parts = Array(label.utf8)
        guard parts.count == 22, parts[10] == UInt8(ascii: "T"), parts[13] == UInt8(ascii: ":"),
            parts[16] == UInt8(ascii: "+") || parts[16] == UInt8(ascii: "-"), parts[19] == UInt8(ascii: ":"),
            let day = DayKeys.parse(String(label.prefix(10)))
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for byte in parts[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let hours = number(11..<13), let minutes = number(14..<16), let offsetHours = number(17..<19),
            let offsetMinutes = number(20..<22), hours < 24, minutes < 60
        else { return nil }
        let offset = (offsetHours * 3_600 + offsetMinutes * 60) * (parts[16] == UInt8(ascii: "-") ? -1 : 1)
        return BillingCalendar.daysSinceEpoch(of: day) * 86_400 + hours * 3_600 + minutes * 60 - offset
    }
}
