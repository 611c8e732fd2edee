import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing
import WhatsAppWebhook

/// Calls through the store on both backends: events merge per call whatever their order and
/// grouping, calls never enter the message ledger, and the month report prices them from the
/// calling card with the portfolio's tiers.
@Suite("Call ledger", .closesStores)
struct CallLedgerTests {
    /// 2026-02-10 12:00 in Asia/Kolkata.
    static let noon = utc("2026-02-10T06:30:00Z")

    static func body(account: String = "A", phone: String = "P1", _ value: String) -> Data {
        Data(
            (#"{"object":"whatsapp_business_account","entry":[{"id":""# + account
                + #"","changes":[{"field":"calls","value":{"metadata":{"display_phone_number":"15550001111","phone_number_id":""#
                + phone + #""},"# + value + "}}]}]}").utf8)
    }

    static func connect(_ id: String, _ direction: String, user: String, at time: Int64, account: String = "A") -> Data
    {
        let (from, to) = direction == "USER_INITIATED" ? (user, "15550001111") : ("15550001111", user)
        return body(
            account: account,
            #""calls":[{"id":"\#(id)","from":"\#(from)","to":"\#(to)","event":"connect","timestamp":"\#(time)","direction":"\#(direction)"}]"#
        )
    }

    static func terminate(
        _ id: String, _ direction: String, user: String, start: Int64, duration: Int?, status: String = "COMPLETED",
        account: String = "A"
    ) -> Data {
        let (from, to) = direction == "USER_INITIATED" ? (user, "15550001111") : ("15550001111", user)
        let answered =
            duration.map { #","start_time":"\#(start)","end_time":"\#(start + Int64($0))","duration":\#($0)"# } ?? ""
        return body(
            account: account,
            #""calls":[{"id":"\#(id)","from":"\#(from)","to":"\#(to)","event":"terminate","timestamp":"\#(start + 600)","direction":"\#(direction)","status":"\#(status)""#
                + answered + "}]")
    }

    static func status(_ id: String, _ state: String, at time: Int64) -> Data {
        body(
            #""statuses":[{"id":"\#(id)","timestamp":"\#(time)","type":"call","status":"\#(state)","recipient_id":"919876543210"}]"#
        )
    }

    /// A month with every case: charged, free, unanswered, flagged, out of order and repeated.
    static var bodies: [Data] {
        [
            terminate("wacid.1", "BUSINESS_INITIATED", user: "919876543210", start: noon, duration: 56),
            status("wacid.1", "RINGING", at: noon - 5),
            connect("wacid.1", "BUSINESS_INITIATED", user: "919876543210", at: noon - 2),
            terminate("wacid.1", "BUSINESS_INITIATED", user: "919876543210", start: noon, duration: 56),
            status("wacid.1", "ACCEPTED", at: noon - 1),
            connect("wacid.2", "USER_INITIATED", user: "919876543211", at: noon + 100),
            terminate("wacid.2", "USER_INITIATED", user: "919876543211", start: noon + 101, duration: 300),
            connect("wacid.3", "BUSINESS_INITIATED", user: "5511999998888", at: noon + 200),
            terminate("wacid.3", "BUSINESS_INITIATED", user: "5511999998888", start: noon + 200, duration: nil),
            terminate(
                "wacid.4", "BUSINESS_INITIATED", user: "5511999998888", start: noon + 300, duration: 7,
                status: "FAILED"),
        ]
    }

    static func store(_ backend: StoreBackend) async throws -> any LedgerStore {
        try await backend.makeStore(accounts: [Account(id: "A", timezone: "Asia/Kolkata", currency: "USD")])
    }

    @Test("the report counts and prices the month's calls from the built-in calling card", arguments: StoreBackend.all)
    func report(_ backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        try await LedgerScenario.ingestOneByOne(store, Self.bodies)
        let report = try await LedgerScenario.report(store, "A", "2026-02")
        let calls = report.calls
        #expect(calls.count == 4 && calls.answered == 3)
        #expect(calls.businessInitiated == 3 && calls.userInitiated == 1)
        #expect(calls.charged == 2 && calls.failedWithDuration == 1)
        // wacid.1: 10 pulses to India at 0.0053; wacid.4: 2 pulses to Brazil at 0.0108.
        #expect(calls.billedMinutes == Decimal(string: "1.2")!)
        #expect(calls.byMarket["India"]?.cost == Decimal(string: "0.0053")!)
        #expect(calls.byMarket["Brazil"]?.cost == Decimal(string: "0.00216")!)
        #expect(calls.cost == Decimal(string: "0.00746")!)
        #expect(report.cost.calls == calls.cost && report.cost.total == report.cost.messages + calls.cost)
        // Calls are not messages: no status of theirs reached the message ledger.
        #expect(report.messages.sent == 0 && report.messages.delivered == 0)
        #expect(report.rateCards.contains { $0.product == .calling })
        // In the JSON, beside the rest.
        let json = String(decoding: report.jsonData(), as: UTF8.self)
        #expect(json.contains(#""billed_minutes" : "1.2""#))
        #expect(json.contains(#""calls" : "0.00746""#))
    }

    @Test(
        "delivered in other groupings and orders, and rebuilt from the archive, the calls are the same",
        arguments: StoreBackend.all)
    func orderFree(_ backend: StoreBackend) async throws {
        let oneByOne = try await Self.store(backend)
        try await LedgerScenario.ingestOneByOne(oneByOne, Self.bodies)
        let together = try await Self.store(backend)
        try await LedgerScenario.ingest(together, Self.bodies.reversed())
        let expected = try await LedgerScenario.report(oneByOne, "A", "2026-02").calls
        #expect(try await LedgerScenario.report(together, "A", "2026-02").calls == expected)
        let outcome = try await together.rebuild(decoder: WebhookDecoder())
        #expect(outcome.callEvents == Self.bodies.count)
        #expect(try await LedgerScenario.report(together, "A", "2026-02").calls == expected)
        // Re-delivering everything changes nothing.
        let again = try await LedgerScenario.ingest(oneByOne, Self.bodies)
        #expect(again.changedRecords == 0)
    }

    @Test("a call is in the month of its start in the account's time zone", arguments: StoreBackend.all)
    func monthEdge(_ backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        // 2026-02-28 23:59:30 in Kolkata is 18:29:30 UTC: February there, although it ends in March.
        let lastMinute = utc("2026-02-28T18:29:30Z")
        try await LedgerScenario.ingest(
            store,
            [Self.terminate("wacid.E", "BUSINESS_INITIATED", user: "919876543210", start: lastMinute, duration: 90)])
        #expect(try await LedgerScenario.report(store, "A", "2026-02").calls.charged == 1)
        #expect(try await LedgerScenario.report(store, "A", "2026-03").calls.count == 0)
    }
}

extension CallLedgerTests {
    @Test(
        "the insights count calls by direction and market, and their month's cost equals the report's",
        arguments: StoreBackend.all)
    func insights(_ backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        try await LedgerScenario.ingest(store, Self.bodies)
        let report = try await LedgerScenario.report(store, "A", "2026-02")
        let result = try await store.insights(
            scope: .accounts(["A"]),
            query: InsightsQuery(
                from: 2026_02_01, to: 2026_02_28, granularity: .total, dimensions: [.kind, .direction, .market],
                filters: InsightsFilters()),
            now: 2_000_000_000)
        let total = try #require(result.totals.first?.metrics)
        #expect(total.calls == 4 && total.callsAnswered == 3 && total.callsCharged == 2)
        #expect(total.callMinutes == report.calls.billedMinutes)
        #expect(total.callCost == report.calls.cost)
        #expect(total.cost == report.cost.total)
        let rows = Dictionary(uniqueKeysWithValues: result.rows.map { ($0.values.joined(separator: "/"), $0.metrics) })
        #expect(rows["call/business_initiated/India"]?.calls == 1)
        #expect(rows["call/business_initiated/Brazil"]?.calls == 2)
        #expect(rows["call/business_initiated/Brazil"]?.callsCharged == 1)
        #expect(rows["call/user_initiated/India"]?.calls == 1)
        #expect(rows["call/user_initiated/India"]?.callCost == 0)
        // Filtered to calls by direction: the free ones only.
        let free = try await store.insights(
            scope: .accounts(["A"]),
            query: InsightsQuery(
                from: 2026_02_01, to: 2026_02_28, granularity: .total, dimensions: [],
                filters: InsightsFilters([.kind: ["call"], .direction: ["user_initiated"]])),
            now: 2_000_000_000)
        #expect(free.totals.first?.metrics.calls == 1 && free.totals.first?.metrics.averageCallDuration == 300)
        // JSON and CSV carry them.
        let json = String(decoding: result.jsonData(), as: UTF8.self)
        #expect(json.contains(#""billed_minutes" : "1.2""#))
        #expect(result.csvHeader.hasSuffix(",calls,calls_answered,calls_charged,call_billed_minutes,call_cost\n"))
    }
}
