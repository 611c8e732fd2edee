import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing

/// The report forecasts the month in progress (and only it), with what is left of the free tiers
/// and of the volume tiers, on both backends.
@Suite("Report forecast", .closesStores)
struct ReportForecastTests {
    @Test("the current month is forecast from its days; other months are not", arguments: StoreBackend.all)
    func currentMonthOnly(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore(accounts: [Account(id: "A", timezone: "UTC", currency: "USD")])
        try await store.importRates(
            try RateCardImport.parse(
                """
                effective_from,currency,market,category,rate
                2026-01-01,USD,India,marketing,0.01
                """
            ).rates, tiers: [])
        // One charged message a day, 2026-02-01 to 2026-02-10 (noon): 28 at the month's end.
        try await LedgerScenario.ingest(
            store,
            (0..<10).map {
                LedgerScenario.status(
                    "m\($0)", "delivered", at: utc("2026-02-01T09:00:00Z") + Int64($0) * 86_400,
                    pricing: LedgerScenario.pmp("marketing"))
            })
        let now = utc("2026-02-10T12:00:00Z")
        let report = try await LedgerScenario.report(store, "A", "2026-02", now: now)
        let forecast = try #require(report.forecast)
        #expect(forecast.projection.asOf == 2026_02_10)
        #expect(forecast.projection.charged.estimate == 28)
        #expect(forecast.projection.cost.estimate == Decimal(string: "0.28"))
        // The straight line: 10 in 9.5 days of 28.
        #expect(forecast.projection.charged.high == 29)
        let json = try #require(
            try JSONSerialization.jsonObject(with: report.jsonData()) as? [String: Any])
        let wire = try #require(json["forecast"] as? [String: Any])
        #expect(wire["method"] as? String == "same_weekday")
        #expect(wire["as_of"] as? String == "2026-02-10")
        #expect((wire["cost"] as? [String: Any])?["estimate"] as? String == "0.28")

        #expect(try await LedgerScenario.report(store, "A", "2026-01", now: now).forecast == nil)
        #expect(
            try await LedgerScenario.report(store, "A", "2026-02", now: utc("2026-03-01T00:00:00Z")).forecast == nil)
        let past =
            try JSONSerialization.jsonObject(
                with: try await LedgerScenario.report(store, "A", "2026-01", now: now).jsonData()) as? [String: Any]
        #expect(past?["forecast"] == nil)
    }

    @Test(
        "insights with forecast: each account's report forecast and their sums per currency; only when asked",
        arguments: StoreBackend.all)
    func insightsForecast(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore(accounts: [
            Account(id: "A", timezone: "UTC", currency: "USD", portfolio: "P"),
            Account(id: "B", timezone: "Asia/Kolkata", currency: "USD", portfolio: "P"),
            Account(id: "C", timezone: "UTC", currency: "USD", portfolio: "P"),
        ])
        try await store.importRates(
            try RateCardImport.parse(
                """
                effective_from,currency,market,category,rate
                2026-01-01,USD,India,marketing,0.01
                """
            ).rates, tiers: [])
        // A: one a day from the 1st; B: two a day; C: nothing this month (its forecast is nothing).
        let first = utc("2026-02-01T09:00:00Z")
        var bodies: [Data] = []
        for day in 0..<10 {
            let time = first + Int64(day) * 86_400
            let marketing = LedgerScenario.pmp("marketing")
            bodies.append(LedgerScenario.status(account: "A", "a\(day)", "delivered", at: time, pricing: marketing))
            bodies.append(LedgerScenario.status(account: "B", "b\(day)", "delivered", at: time, pricing: marketing))
            bodies.append(
                LedgerScenario.status(account: "B", "c\(day)", "delivered", at: time + 1_800, pricing: marketing))
        }
        try await LedgerScenario.ingest(store, bodies)
        let now = utc("2026-02-10T12:00:00Z")
        var query = InsightsQuery(from: 2026_02_01, to: 2026_02_28)
        #expect(try await store.insights(scope: .portfolio("P"), query: query, now: now).forecasts == nil)
        query.forecast = true
        let result = try await store.insights(scope: .portfolio("P"), query: query, now: now)
        let forecasts = try #require(result.forecasts)
        #expect(forecasts.map(\.account) == ["A", "B", "C"])
        #expect(forecasts[2].forecast.projection.cost.estimate == 0)
        for item in forecasts {
            let report = try await LedgerScenario.report(store, item.account, "2026-02", now: now)
            #expect(item.forecast == report.forecast)
        }
        let json = try #require(try JSONSerialization.jsonObject(with: result.jsonData()) as? [String: Any])
        let wire = try #require(json["forecast"] as? [String: Any])
        let totals = try #require(wire["totals"] as? [[String: Any]])
        #expect(totals.count == 1)
        let summed = forecasts.map(\.forecast.projection.charged.estimate).reduce(0, +)
        #expect((totals[0]["charged"] as? [String: Any])?["estimate"] as? Int == summed)
        #expect(
            ((wire["accounts"] as? [[String: Any]])?.first?["forecast"] as? [String: Any])?["method"] as? String
                == "same_weekday")
        #expect(result.tableText().contains("Month-end forecast (same weekday)"))
        #expect(result.tableText().contains("  A 2026-02  day 10 of 28  charged 28 (") == true)
    }

    @Test("what is left: the conversation free tier (CBP), each number's free service messages (2026-10 on)")
    func freeTierLeft() async throws {
        let store = try await StoreBackend.sqlite.makeStore(accounts: [
            Account(id: "A", timezone: "UTC", currency: "USD")
        ])
        try await LedgerScenario.ingest(
            store,
            [
                LedgerScenario.status(
                    "c1", "delivered", at: utc("2024-03-05T10:00:00Z"), pricing: LedgerScenario.cbp("service"),
                    conversation: "conv1"),
                LedgerScenario.status(
                    "s1", "delivered", at: utc("2026-11-05T10:00:00Z"),
                    pricing: LedgerScenario.pmp("service", type: "free_customer_service"), phone: "P1"),
                LedgerScenario.status(
                    "s2", "delivered", at: utc("2026-11-05T11:00:00Z"),
                    pricing: LedgerScenario.pmp("service", type: "free_customer_service"), phone: "P1"),
            ])
        let march = try #require(
            try await LedgerScenario.report(store, "A", "2024-03", now: utc("2024-03-06T00:00:00Z")).forecast)
        #expect(march.freeTierLeft.map(\.scope) == ["account"])
        #expect(march.freeTierLeft.map(\.left) == [999])
        let november = try #require(
            try await LedgerScenario.report(store, "A", "2026-11", now: utc("2026-11-06T00:00:00Z")).forecast)
        #expect(november.freeTierLeft.map(\.scope) == ["P1"])
        #expect(november.freeTierLeft.map(\.used) == [2])
        #expect(november.freeTierLeft.map(\.left) == [998])
    }

    @Test("what is left of a volume tier: charged messages until the next one, none in the last")
    func tierLeft() async throws {
        let store = try await StoreBackend.sqlite.makeStore(accounts: [
            Account(id: "A", timezone: "UTC", currency: "USD")
        ])
        try await store.importRates([], tiers: try HalfHourInsightsTests.smallTiers())
        func deliver(_ count: Int, from first: Int) async throws {
            try await LedgerScenario.ingest(
                store,
                (first..<first + count).map {
                    LedgerScenario.status(
                        "u\($0)", "delivered", at: utc("2026-11-03T10:00:00Z") + Int64($0) * 60,
                        pricing: LedgerScenario.pmp("utility"))
                })
        }
        let now = utc("2026-11-04T00:00:00Z")
        try await deliver(5, from: 0)
        var tiers = try #require(try await LedgerScenario.report(store, "A", "2026-11", now: now).forecast).tiers
        #expect(tiers.map(\.tier) == ["4:6"])
        #expect(tiers.map(\.toNextTier) == [1])
        try await deliver(3, from: 5)
        tiers = try #require(try await LedgerScenario.report(store, "A", "2026-11", now: now).forecast).tiers
        #expect(tiers.map(\.tier) == ["7:MAX"])
        #expect(tiers.map(\.toNextTier) == [nil])
    }
}
