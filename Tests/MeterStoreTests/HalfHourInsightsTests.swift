import Foundation
import GRDB
import MeterCore
import MeterStore
import TestSupport
import Testing

/// The insights by half-hour, on the ledger that covers every pricing era (`BackendParityTests`:
/// free tiers passed, volume tiers passed across a portfolio in two time zones, webhook-priced
/// messages): the half-hours of a day add up to the day, what the day's pricing decided by order
/// lands on the units in time order, and both backends agree.
@Suite("Insights by half-hour", .closesStores)
struct HalfHourInsightsTests {
    static let now = utc("2026-03-20T00:00:00Z")
    static let by = ["account", "category", "country", "phone", "pricing_type", "tier", "kind"]

    static func ledger(_ backend: StoreBackend) async throws -> any LedgerStore {
        try await InsightsTests.parityLedger(backend)
    }

    static func insights(
        _ store: any LedgerStore, _ from: String, _ to: String, _ granularity: String, by: [String] = by
    ) async throws -> InsightsResult {
        try await store.insights(
            scope: .all, query: try InsightsRequest(from: from, to: to, granularity: granularity, by: by).query(),
            now: now)
    }

    /// Periods with traffic: each era's simulated start, the months passing the free tiers, and the
    /// month passing the volume tiers.
    static let periods = [
        ("2021-11-01", "2021-11-07"), ("2022-05-02", "2022-05-12"), ("2023-08-01", "2023-08-14"),
        ("2025-08-01", "2025-08-05"), ("2026-02-01", "2026-02-28"), ("2026-10-01", "2026-10-04"),
    ]

    @Test("the half-hours of each day add up to the day, in every breakdown", arguments: StoreBackend.all)
    func halfHoursAddUpToDays(_ backend: StoreBackend) async throws {
        let store = try await Self.ledger(backend)
        for (from, to) in Self.periods {
            let days = try await Self.insights(store, from, to, "day")
            let halfHours = try await Self.insights(store, from, to, "half_hour")
            #expect(!halfHours.rows.isEmpty, "\(from)")
            var summed: [String: InsightsMetrics] = [:]
            for row in halfHours.rows {
                // Every zone here is a whole or half hour off UTC: a half-hour is in one local day.
                summed[
                    ([String(row.period.prefix(10)), row.currency] + row.values).joined(separator: "|"),
                    default: .init()
                ]
                .add(row.metrics)
                #expect(HalfHourLabel.parse(row.period).map { $0 % 1_800 } == 0, "\(row.period)")
                // Costs are the card's or the webhook's, never a fraction of them.
                #expect(row.metrics.cost == row.metrics.cost.rounded(places: 6), "\(row.period) \(row.values)")
            }
            let daily = Dictionary(
                uniqueKeysWithValues: days.rows.map {
                    (([$0.period, $0.currency] + $0.values).joined(separator: "|"), $0.metrics)
                })
            #expect(summed == daily, "\(from)..\(to)")
            #expect(halfHours.totals == days.totals, "\(from)..\(to)")
        }
    }

    @Test("the free tier covers the month's first conversations, in time order", arguments: StoreBackend.all)
    func freeTierInTimeOrder(_ backend: StoreBackend) async throws {
        let store = try await Self.ledger(backend)
        // 2022-05: conversations every ten minutes from 05-02 00:00 UTC; the first 1,000 are free
        // (the 1,000th at 05-08 22:30), the next three billable ones (22:40, 22:50, 23:00) charged.
        let may = try await Self.insights(
            store, "2022-05-08", "2022-05-08", "half_hour", by: ["account", "pricing_type", "kind"])
        func periods(_ type: String) -> [String] {
            may.rows.filter { $0.values == ["A", type, "conversation"] }.map(\.period)
        }
        let charged = may.rows.filter { $0.values == ["A", "regular", "conversation"] }
        #expect(charged.map(\.period) == ["2022-05-08T22:30+00:00", "2022-05-08T23:00+00:00"])
        #expect(charged.map(\.metrics.conversationsCharged) == [2, 1])
        #expect(periods("free_tier").last == "2022-05-08T22:30+00:00")
        #expect(periods("free_tier").count == 46)
    }

    /// India's utility pool in tiers of three from 2026-11 (1:3, 4:6, 7:MAX), so that a few
    /// messages cross them.
    static func smallTiers() throws -> [TierEntry] {
        try RateCardImport.parse(
            """
            effective_from,currency,market,category,volume_from,volume_to,rate
            2026-11-01,USD,India,utility,1,3,0.002
            2026-11-01,USD,India,utility,4,6,0.001
            2026-11-01,USD,India,utility,7,,0.0005
            """
        ).tiers
    }

    @Test("volume tiers go to a pool's charged messages in delivery order", arguments: StoreBackend.all)
    func tiersInTimeOrder(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore(accounts: [Account(id: "A", timezone: "UTC", currency: "USD")])
        try await store.importRates([], tiers: try Self.smallTiers())
        // Ten utility messages to India, one every 20 minutes from 10:00.
        let start = utc("2026-11-03T10:00:00Z")
        try await LedgerScenario.ingest(
            store,
            (0..<10).map {
                LedgerScenario.status(
                    "u\($0)", "delivered", at: start + Int64($0) * 1_200, pricing: LedgerScenario.pmp("utility"))
            })
        let query = try InsightsRequest(from: "2026-11-03", granularity: "half_hour", by: ["tier"]).query()
        let rows = try await store.insights(scope: .all, query: query, now: Self.now).rows
        // (Each message is also sent in its half-hour, with no tier.)
        let seen = rows.filter { !$0.values[0].isEmpty }.map {
            "\($0.period.dropFirst(11).prefix(5)) \($0.values[0]) \($0.metrics.messagesCharged) \($0.metrics.cost)"
        }
        #expect(
            seen == [
                "10:00 1:3 2 0.004", "10:30 1:3 1 0.002", "11:00 4:6 2 0.002", "11:30 4:6 1 0.001",
                "12:00 7:MAX 2 0.001", "12:30 7:MAX 1 0.0005", "13:00 7:MAX 1 0.0005",
            ])
    }

    @Test("a message's figures sit in the half-hours of their own events, in local time", arguments: StoreBackend.all)
    func eventsInTheirHalfHours(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore(accounts: [
            Account(id: "K", timezone: "Asia/Kolkata", currency: "USD"),
            Account(id: "N", timezone: "Asia/Kathmandu", currency: "USD"),
        ])
        try await store.importRates(
            try RateCardImport.parse(
                """
                effective_from,currency,market,category,rate
                2026-01-01,USD,India,marketing,0.0118
                """
            ).rates, tiers: [])
        try await LedgerScenario.ingest(
            store,
            [
                LedgerScenario.status(account: "K", "m1", "sent", at: utc("2026-02-03T10:05:00Z")),
                LedgerScenario.status(
                    account: "K", "m1", "delivered", at: utc("2026-02-03T10:40:00Z"),
                    pricing: LedgerScenario.pmp("marketing")),
                LedgerScenario.status(account: "K", "m1", "read", at: utc("2026-02-03T11:10:00Z")),
                LedgerScenario.status(
                    account: "K", "m2", "delivered", at: utc("2026-02-03T10:59:59Z"),
                    pricing: LedgerScenario.pmp("marketing")),
                LedgerScenario.costedDelivery(
                    account: "K", "m3", at: utc("2026-02-03T12:00:00Z"), amount: "0.0105", category: "marketing"),
                // Kathmandu is 5:45 ahead: the UTC half-hour from 18:00 is 23:45 to 00:15 there.
                LedgerScenario.status(
                    account: "N", "n1", "delivered", at: utc("2026-02-03T18:10:00Z"),
                    pricing: LedgerScenario.pmp("marketing")),
                LedgerScenario.status(
                    account: "N", "n2", "delivered", at: utc("2026-02-03T18:20:00Z"),
                    pricing: LedgerScenario.pmp("marketing")),
            ])
        let query = try InsightsRequest(
            from: "2026-02-03", to: "2026-02-04", granularity: "half_hour", by: ["account"]
        ).query()
        let rows = try await store.insights(scope: .all, query: query, now: Self.now).rows
        func row(_ account: String, _ period: String) -> InsightsMetrics? {
            rows.first { $0.values == [account] && $0.period == period }?.metrics
        }
        #expect(row("K", "2026-02-03T15:30+05:30")?.messagesSent == 1)
        #expect(row("K", "2026-02-03T16:00+05:30")?.messagesDelivered == 2)
        #expect(row("K", "2026-02-03T16:00+05:30")?.cost == Decimal(string: "0.0236"))
        #expect(row("K", "2026-02-03T16:30+05:30")?.messagesRead == 1)
        #expect(row("K", "2026-02-03T17:30+05:30")?.cost == Decimal(string: "0.0105"))
        // One UTC half-hour, two local days: a row for each, under the same label.
        let kathmandu = rows.filter { $0.values == ["N"] }
        #expect(kathmandu.map(\.period) == ["2026-02-03T23:45+05:45"])
        #expect(kathmandu.first?.metrics.messagesDelivered == 2)
        #expect(rows.allSatisfy { HalfHourLabel.parse($0.period) != nil })
    }

    @Test("SQLite and PostgreSQL give the same half-hours", .enabled(if: StoreBackend.postgresURL != nil))
    func backendsAgree() async throws {
        let sqlite = try await Self.ledger(.sqlite)
        let postgres = try await Self.ledger(.postgres)
        for (from, to) in Self.periods {
            let a = try await Self.insights(sqlite, from, to, "half_hour")
            let b = try await Self.insights(postgres, from, to, "half_hour")
            #expect(a.jsonData() == b.jsonData(), "\(from)..\(to)")
        }
    }

    @Test(
        "a period given as times keeps only its half-hours, in every granularity, in any zone; its figures sum them",
        arguments: StoreBackend.all)
    func periodsAsTimes(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore(accounts: [
            Account(id: "U", timezone: "UTC", currency: "USD"),
            Account(id: "K", timezone: "Asia/Kolkata", currency: "USD"),
        ])
        try await store.importRates([], tiers: try Self.smallTiers())
        // Ten utility messages to India per account, one every 20 minutes from 2026-11-03 10:00 UTC
        // (15:30 in Kolkata): tiers 1:3, 4:6 and 7:MAX by time, per account's pool.
        let start = utc("2026-11-03T10:00:00Z")
        var bodies: [Data] = []
        for account in ["U", "K"] {
            for n in 0..<10 {
                bodies.append(
                    LedgerScenario.status(
                        account: account, "\(account)\(n)", "delivered", at: start + Int64(n) * 1_200,
                        pricing: LedgerScenario.pmp("utility")))
            }
        }
        try await LedgerScenario.ingest(store, bodies)
        // 11:00 to 12:30 UTC: messages 3 to 7 (11:00, 11:20, 11:40, 12:00, 12:20) of each account.
        let timed = try InsightsRequest(
            from: "2026-11-03T11:00Z", to: "2026-11-03T18:00+05:30", by: ["account", "tier"]
        ).query()
        #expect(timed.instants == utc("2026-11-03T11:00:00Z")..<utc("2026-11-03T12:30:00Z"))
        let total = try await store.insights(scope: .all, query: timed, now: Self.now)
        #expect(total.totals.first?.metrics.messagesCharged == 10)
        let rows = total.rows.filter { !$0.values[1].isEmpty }.map {
            "\($0.period) \($0.values[0]) \($0.values[1]) \($0.metrics.messagesCharged) \($0.metrics.cost)"
        }
        #expect(
            rows == [
                "2026-11-03T11:00Z..2026-11-03T12:30Z K 4:6 3 0.003",
                "2026-11-03T11:00Z..2026-11-03T12:30Z K 7:MAX 2 0.001",
                "2026-11-03T11:00Z..2026-11-03T12:30Z U 4:6 3 0.003",
                "2026-11-03T11:00Z..2026-11-03T12:30Z U 7:MAX 2 0.001",
            ])
        // The same figures as the half-hours they cover, from a half-hour query over the day.
        let halfHours = try await store.insights(
            scope: .all,
            query: try InsightsRequest(from: "2026-11-03", granularity: "half_hour", by: ["account"]).query(),
            now: Self.now)
        var sum = InsightsMetrics()
        for row in halfHours.rows {
            guard let halfHour = HalfHourLabel.parse(row.period), timed.instants!.contains(halfHour) else { continue }
            sum.add(row.metrics)
        }
        #expect(total.totals.first?.metrics == sum)
        // By day: each account's local day (the 3rd in both zones); by half-hour: only those inside.
        var byDay = timed
        byDay.granularity = .day
        #expect(
            Set(try await store.insights(scope: .all, query: byDay, now: Self.now).rows.map(\.period)) == ["2026-11-03"]
        )
        var byHalfHour = timed
        byHalfHour.granularity = .halfHour
        byHalfHour.dimensions = [.account]
        let periods = try await store.insights(scope: .all, query: byHalfHour, now: Self.now).rows.map {
            "\($0.values[0]) \($0.period)"
        }
        #expect(
            periods == [
                "U 2026-11-03T11:00+00:00", "U 2026-11-03T11:30+00:00", "U 2026-11-03T12:00+00:00",
                "K 2026-11-03T16:30+05:30", "K 2026-11-03T17:00+05:30", "K 2026-11-03T17:30+05:30",
            ])
        let json = try #require(try JSONSerialization.jsonObject(with: total.jsonData()) as? [String: Any])
        #expect(json["start"] as? Int == Int(utc("2026-11-03T11:00:00Z")))
        #expect(json["end"] as? Int == Int(utc("2026-11-03T12:30:00Z")))
    }

    @Test("a delivery that moves to an earlier half-hour leaves no row behind at zero")
    func movedDeliveryPrunes() async throws {
        let path = TestFiles.path("halfhour", extension: "sqlite")
            .path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        do {
            let store = try SQLiteLedgerStore(path: path)
            _ = try await store.upsertAccount(Account(id: "A", timezone: "UTC", currency: "USD"))
            let pricing = LedgerScenario.pmp("marketing")
            // Separate transactions: the second moves the delivery (the earliest one counts).
            try await LedgerScenario.ingest(
                store, [LedgerScenario.status("m1", "delivered", at: utc("2026-02-03T10:40:00Z"), pricing: pricing)])
            try await LedgerScenario.ingest(
                store, [LedgerScenario.status("m1", "delivered", at: utc("2026-02-03T09:10:00Z"), pricing: pricing)])
        }
        let rows = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT half_hour, messages_delivered, messages_charged FROM half_hour_counters")
        }
        #expect(rows.map { $0[0] as Int64 } == [utc("2026-02-03T09:00:00Z")])
        #expect(rows.map { $0[1] as Int } == [1])
        #expect(rows.map { $0[2] as Int } == [1])
    }
}
