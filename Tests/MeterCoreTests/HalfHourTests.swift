import Foundation
import TestSupport
import Testing

@testable import MeterCore

/// Half-hours: how they are named (local time with its offset, both ways), and how a day's
/// pricing is placed on them (`TimeSplit`).
@Suite("Half-hours")
struct HalfHourTests {
    static func zone(_ identifier: String) -> BillingCalendar { BillingCalendar(timezoneIdentifier: identifier)! }

    @Test("labels are local times with the offset in force, and read back to the same instant")
    func labels() {
        let cases: [(String, String, String)] = [
            ("UTC", "2026-02-03T10:30:00Z", "2026-02-03T10:30+00:00"),
            ("Asia/Kolkata", "2026-02-03T18:30:00Z", "2026-02-04T00:00+05:30"),
            ("Asia/Kathmandu", "2026-02-03T18:00:00Z", "2026-02-03T23:45+05:45"),
            ("America/Sao_Paulo", "2026-02-03T02:00:00Z", "2026-02-02T23:00-03:00"),
            // New York's clocks go back at 06:00 UTC on 2026-11-01: 01:30 comes twice, apart by offset.
            ("America/New_York", "2026-11-01T05:30:00Z", "2026-11-01T01:30-04:00"),
            ("America/New_York", "2026-11-01T06:30:00Z", "2026-11-01T01:30-05:00"),
        ]
        for (zone, instant, label) in cases {
            #expect(HalfHourLabel.format(utc(instant), in: Self.zone(zone)) == label, "\(zone) \(instant)")
            #expect(HalfHourLabel.parse(label) == utc(instant), "\(label)")
        }
        for junk in ["2026-02-03", "2026-02-03T10:30", "2026-02-30T10:30+00:00", "2026-02-03T25:00+00:00", "x"] {
            #expect(HalfHourLabel.parse(junk) == nil, "\(junk)")
        }
        #expect(RollupKey.halfHour(of: utc("2026-02-03T10:59:59Z")) == utc("2026-02-03T10:30:00Z"))
        #expect(RollupKey.halfHour(of: -1) == -1_800)
    }

    @Test("take: the first units in time order, across half-hours")
    func take() {
        var slots: TimeSplit.Slots = [(100, 3), (200, 2), (300, 4)]
        let first = TimeSplit.take(4, from: &slots)
        #expect(first.map(\.halfHour) == [100, 200] && first.map(\.count) == [3, 1])
        #expect(slots.map(\.halfHour) == [200, 300] && slots.map(\.count) == [1, 4])
        let rest = TimeSplit.take(7, from: &slots)
        // Two more than there are: kept, on the last half-hour, so the counts still add up.
        #expect(rest.map(\.halfHour) == [200, 300, 300] && rest.map(\.count) == [1, 4, 2])
        #expect(slots.isEmpty)
    }

    @Test("share: in proportion to units, exact per unit at one rate, the parts adding up to the whole")
    func share() {
        var parts: [(Int64?, Decimal, Int)] = []
        TimeSplit.share(cost: Decimal(string: "0.0354")!, unrated: 0, over: [(1, 1), (2, 2)], fallback: nil) {
            parts.append(($0, $1, $2))
        }
        #expect(parts.map(\.1) == [Decimal(string: "0.0118")!, Decimal(string: "0.0236")!])

        parts = []
        TimeSplit.share(cost: 1, unrated: 5, over: [(1, 1), (2, 1), (3, 1)], fallback: nil) {
            parts.append(($0, $1, $2))
        }
        #expect(parts.map(\.1).reduce(0, +) == 1)
        #expect(parts.map(\.2) == [1, 2, 2])

        parts = []
        TimeSplit.share(cost: 2, unrated: 0, over: [], fallback: 900) { parts.append(($0, $1, $2)) }
        #expect(parts.count == 1 && parts[0].0 == 900 && parts[0].1 == 2)
    }
}
