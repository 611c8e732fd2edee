import Foundation
import Testing
import WhatsAppWebhook

@testable import MeterCore

/// Calling rules (reference §7.11): pulses, who pays, the month a call falls in, tiers reached by
/// the portfolio's minutes, and a call record that does not depend on the order of its events.
private func d(_ text: String) -> Decimal { Decimal(string: text)! }

@Suite("Call charging")
struct CallChargingTests {

    @Test(
        "six-second pulses, a started pulse counting whole",
        arguments: [(0, 0), (1, 1), (5, 1), (6, 1), (7, 2), (56, 10), (60, 10), (61, 11), (-3, 0)] as [(Int64, Int64)])
    func pulses(_ seconds: Int64, _ expected: Int64) {
        #expect(CallCharging.pulses(seconds: seconds) == expected)
    }

    @Test("billed minutes are pulses / 10, exactly")
    func minutes() {
        #expect(CallCharging.minutes(pulses: 10) == 1)
        #expect(CallCharging.minutes(pulses: 11) == d("1.1"))
        #expect(CallCharging.minutes(pulses: 1) == d("0.1"))
    }

    static func call(
        _ id: String, _ direction: CallDirection?, duration: Int64?, start: Int64 = 1_790_000_000,
        to number: String = "919876543210",
        outcome: String? = "COMPLETED", account: String = "A"
    ) -> CallRecord {
        CallRecord(
            account: account, callId: id, phoneNumberId: "P1", direction: direction, userNumber: number,
            firstEventAt: start - 10, startTime: duration.map { _ in start }, duration: duration, outcome: outcome)
    }

    @Test("only business-initiated calls that were picked up are charged; a FAILED one with a duration is flagged")
    func whoPays() {
        #expect(Self.call("c", .businessInitiated, duration: 56).isCharged)
        #expect(Self.call("c", .businessInitiated, duration: 56).pulses == 10)
        #expect(!Self.call("c", .userInitiated, duration: 56).isCharged)
        #expect(Self.call("c", .userInitiated, duration: 56).pulses == 0)
        #expect(!Self.call("c", .businessInitiated, duration: nil).isCharged)
        #expect(!Self.call("c", .businessInitiated, duration: 0).isCharged)
        // A direction no event gave is never charged.
        #expect(!Self.call("c", nil, duration: 56).isCharged)
        let failed = Self.call("c", .businessInitiated, duration: 20, outcome: "FAILED")
        #expect(failed.isCharged && failed.failedWithDuration)
        #expect(!Self.call("c", .businessInitiated, duration: nil, outcome: "FAILED").failedWithDuration)
    }

    @Test("a call is placed when it was picked up, else at its first event; the country is the user's number's")
    func placement() {
        let answered = Self.call("c", .businessInitiated, duration: 30, start: 1_790_000_000)
        #expect(answered.placedAt == 1_790_000_000)
        let unanswered = Self.call("c", .businessInitiated, duration: nil, start: 1_790_000_000)
        #expect(unanswered.placedAt == Int64(1_789_999_990))
        #expect(answered.country == "IN")
        var username = Self.call("c", .businessInitiated, duration: 30, to: "")
        username.userNumber = nil
        username.userCountryCode = "br"
        #expect(username.country == "BR")
    }

    @Test("a call's events joined in any order and any number of times give one record")
    func permutationInvariance() {
        let connect = CallRecord(
            account: "A",
            event: CallEvent(
                account: "A", phoneNumberId: "P1", callId: "wacid.1", event: "connect", timestamp: 1_790_000_000,
                direction: .businessInitiated, userNumber: "919876543210"))
        let ringing = CallRecord(
            account: "A",
            status: CallStatusEvent(
                account: "A", phoneNumberId: "P1", callId: "wacid.1", status: "RINGING", timestamp: 1_789_999_990,
                recipientId: "919876543210"))
        let accepted = CallRecord(
            account: "A",
            status: CallStatusEvent(
                account: "A", phoneNumberId: "P1", callId: "wacid.1", status: "ACCEPTED", timestamp: 1_789_999_995))
        let terminate = CallRecord(
            account: "A",
            event: CallEvent(
                account: "A", phoneNumberId: "P1", callId: "wacid.1", event: "terminate", timestamp: 1_790_000_100,
                direction: .businessInitiated, userNumber: "919876543210", status: "COMPLETED",
                startTime: 1_790_000_001, endTime: 1_790_000_057, duration: 56, callbackData: "x"))
        let events = [connect, ringing, accepted, terminate, terminate, connect]
        var results: Set<String> = []
        for order in Self.permutations(of: Array(0..<events.count)).prefix(720) {
            let joined = order.dropFirst().reduce(events[order[0]]) { $0.join(events[$1]) }
            results.insert("\(joined)")
            #expect(joined.duration == 56 && joined.progress == "ACCEPTED" && joined.firstEventAt == 1_789_999_990)
            #expect(joined.outcome == "COMPLETED" && joined.placedAt == 1_790_000_001 && joined.pulses == 10)
        }
        #expect(results.count == 1)
        // Grouped differently (as transactions group deliveries), the same again.
        let left = connect.join(ringing).join(accepted.join(terminate))
        let right = terminate.join(connect.join(accepted)).join(ringing)
        #expect(left == right)
    }

    static func permutations(of items: [Int]) -> [[Int]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { index in
            var rest = items
            let first = rest.remove(at: index)
            return permutations(of: rest).map { [first] + $0 }
        }
    }

    /// India calling: 0.01 per minute for minutes 1–10, 0.005 from minute 11.
    static let card = RateCard(
        [
            RateEntry(
                effectiveFrom: 2026_01_01, currency: "USD", market: "India", category: "calling", rate: d("0.01")),
            RateEntry(
                effectiveFrom: 2026_01_01, currency: "USD", market: "Brazil", category: "calling", rate: d("0.02")),
        ],
        tiers: [
            TierEntry(
                effectiveFrom: 2026_01_01, currency: "USD", market: "India", category: "calling", volumeFrom: 0,
                volumeTo: 10, rate: d("0.01")),
            TierEntry(
                effectiveFrom: 2026_01_01, currency: "USD", market: "India", category: "calling", volumeFrom: 11,
                volumeTo: nil, rate: d("0.005")),
        ])

    static func unit(
        _ id: String, at time: Int64, pulses: Int64, market: String = "India", account: String = "A"
    )
        -> CallCharging.TierUnit
    {
        CallCharging.TierUnit(
            account: account, callId: id, placedAt: time, day: 2026_02_10, market: market, pulses: pulses)
    }

    @Test(
        "the portfolio's minutes accrue in placing order; a call crossing a tier boundary is priced whole at the tier it reaches"
    )
    func tiers() {
        let prices = CallCharging.prices(
            of: [
                // Listed out of order: the order is the placing time's.
                Self.unit("third", at: 300, pulses: 10, account: "B"),
                Self.unit("first", at: 100, pulses: 60),  // minutes 0.1–6.0: tier 1
                Self.unit("second", at: 200, pulses: 45),  // 6.1–10.5: reaches minute 11, tier 2 as a whole
                Self.unit("brazil", at: 150, pulses: 500, market: "Brazil"),  // its own pool, no tiers
            ], currency: "USD", rates: Self.card)
        #expect(prices["A"]?["first"] == CallCharging.Price(rate: d("0.01"), tier: "0:10"))
        #expect(prices["A"]?["second"] == CallCharging.Price(rate: d("0.005"), tier: "11:MAX"))
        #expect(prices["B"]?["third"] == CallCharging.Price(rate: d("0.005"), tier: "11:MAX"))
        #expect(prices["A"]?["brazil"] == CallCharging.Price(rate: d("0.02"), tier: nil))
        // Exactly at the boundary: 100 pulses end on minute 10, still tier 1.
        let edge = CallCharging.prices(of: [Self.unit("edge", at: 1, pulses: 100)], currency: "USD", rates: Self.card)
        #expect(edge["A"]?["edge"]?.tier == "0:10")
        // A market the card has no calling rate for is unrated, not free.
        let none = CallCharging.prices(
            of: [Self.unit("x", at: 1, pulses: 10, market: "Other")], currency: "USD", rates: Self.card)
        #expect(none["A"]?["x"] == CallCharging.Price(rate: nil, tier: nil))
    }

    @Test("the report's calls: counts by direction, minutes, cost by market and phone, unrated and flagged calls")
    func report() {
        let account = Account(id: "A", timezone: "Asia/Kolkata", currency: "USD")
        let calendar = BillingCalendar(timezoneIdentifier: "Asia/Kolkata")!
        let start = calendar.start(of: 2026_02_10)
        let calls = [
            Self.call("a", .businessInitiated, duration: 56, start: start),  // 10 pulses
            Self.call("b", .businessInitiated, duration: 7, start: start + 60),  // 2 pulses
            Self.call("c", .userInitiated, duration: 300, start: start + 120),  // free
            Self.call("d", .businessInitiated, duration: nil, start: start + 180),  // not picked up
            Self.call("e", .businessInitiated, duration: 6, start: start + 240, outcome: "FAILED"),  // 1 pulse, flagged
            Self.call("f", .businessInitiated, duration: 12, start: start + 300, to: "14155550100"),  // no US rate
        ]
        let days = DayKeyCaches().cache(for: account.timezone)
        let inputs = CallInputs(
            calls: calls, portfolioCharged: calls.compactMap { CallInputs.tierUnit($0, days: days, markets: .standard) }
        )
        let report = CallReportBuilder.build(
            inputs, prices: inputs.prices(of: account, rates: Self.card), day: calendar.day(of:))
        #expect(report.count == 6 && report.answered == 5)
        #expect(report.businessInitiated == 5 && report.userInitiated == 1)
        #expect(report.charged == 4 && report.unrated == 1 && report.failedWithDuration == 1)
        #expect(report.billedMinutes == d("1.5"))  // 10 + 2 + 1 + 2 pulses
        // India: 1.3 minutes at 0.01 (tier 1); North America: 0.2 minutes unrated.
        #expect(report.cost == d("0.013"))
        #expect(report.byMarket["India"] == .init(count: 5, charged: 3, billedMinutes: d("1.3"), cost: d("0.013")))
        #expect(report.byMarket["North America"] == .init(count: 1, charged: 1, billedMinutes: d("0.2"), unrated: 1))
        #expect(report.byPhoneNumber["P1"]?.count == 6)
        #expect(report.averageDuration == d("76.2"))  // (56 + 7 + 300 + 6 + 12) / 5
        #expect(report.tiers == ["India": ["0:10"]])
    }
}
