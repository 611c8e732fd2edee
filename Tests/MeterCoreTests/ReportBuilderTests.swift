import Foundation
import TestSupport
import Testing

@testable import MeterCore

@Suite("Report building and rating")
struct ReportBuilderTests {
    func inputs(
        month: String, rows: [(DayKey, RollupMetric, String, String, Int)], free: [FreeTierConversation] = [],
        rates: [RateEntry] = [], undelivered: UndeliveredCounts = .init(total: 0, dropped: 0)
    ) -> ReportInputs {
        ReportInputs(
            account: Account(id: "A", timezone: "Asia/Kolkata", currency: "USD"), month: YearMonth(month)!,
            rollups: rows.map {
                RollupRow(key: RollupKey(day: $0.0, metric: $0.1, category: $0.2, country: $0.3), count: $0.4)
            },
            freeTierConversations: free, undeliveredMessages: undelivered,
            undeliveredConversations: .init(total: 3, dropped: 1),
            rates: RateCard(rates))
    }

    @Test("messages: counts, cost by category, market and country, with a rate change mid-month")
    func messageCost() {
        let report = ReportBuilder.build(
            inputs(
                month: "2026-03",
                rows: [
                    (2026_03_10, .messageSent, "marketing", "IN", 10),
                    (2026_03_10, .messageDelivered, "marketing", "IN", 9),
                    (2026_03_10, .messageCharged, "marketing", "IN", 9),
                    (2026_03_20, .messageCharged, "marketing", "IN", 2),
                    (2026_03_20, .messageDelivered, "marketing", "IN", 2),
                    (2026_03_11, .messageRead, "marketing", "IN", 4),
                    (2026_03_12, .messageFailed, "utility", "BR", 1), (2026_03_12, .messageReceived, "", "BR", 5),
                    (2026_03_12, .messageCharged, "utility", "BR", 3),
                    (2026_03_12, .messageDelivered, "utility", "BR", 3),
                ],
                rates: [
                    RateEntry(
                        effectiveFrom: 2026_01_01, currency: "USD", market: "India", category: "marketing",
                        rate: Decimal(string: "0.0118")!),
                    RateEntry(
                        effectiveFrom: 2026_03_15, currency: "USD", market: "India", category: "marketing",
                        rate: Decimal(string: "0.0200")!),
                    RateEntry(
                        effectiveFrom: 2026_01_01, currency: "USD", market: "Brazil", category: "utility",
                        rate: Decimal(string: "0.0068")!),
                ],
                undelivered: .init(total: 5, dropped: 2)))
        #expect(report.messages.sent == 10)
        #expect(report.messages.delivered == 14)
        #expect(report.messages.read == 4)
        #expect(report.messages.failed == 1)
        #expect(report.messages.received == 5)
        #expect(report.messages.charged == 14)
        #expect(report.messages.pending == 3)
        #expect(report.messages.dropped == 2)
        // 9 × 0.0118 + 2 × 0.0200 = 0.1462; 3 × 0.0068 = 0.0204.
        #expect(
            report.messages.byCategory["marketing"] == Report.CategoryLine(delivered: 11, charged: 11, cost: "0.1462"))
        #expect(report.messages.byCategory["utility"] == Report.CategoryLine(delivered: 3, charged: 3, cost: "0.0204"))
        #expect(report.byMarket["India"] == Report.ChargedLine(charged: 11, cost: "0.1462"))
        #expect(report.byCountry["BR"] == Report.ChargedLine(charged: 3, cost: "0.0204"))
        #expect(report.cost == Report.Cost(total: "0.1666", currency: "USD"))
        #expect(report.unrated.count == 0)
        #expect(report.conversations.pending == 2)
        #expect(report.conversations.dropped == 1)
    }

    @Test("charged units without a rate are listed as unrated, not priced at zero silently")
    func unrated() {
        let report = ReportBuilder.build(
            inputs(
                month: "2026-03",
                rows: [
                    (2026_03_10, .messageCharged, "marketing", "IN", 4),
                    (2026_03_10, .messageCharged, "marketing", "", 1),
                ]))
        #expect(report.unrated.count == 5)
        #expect(report.unrated.units.map(\.market) == ["India", "Unknown"])
        #expect(report.cost.total == "0")
        #expect(report.messages.charged == 5)
    }

    @Test("2022 free tier: the selected first conversations of any category are not charged")
    func freeTier2022() {
        let report = ReportBuilder.build(
            inputs(
                month: "2022-05",
                rows: [
                    (2022_05_02, .conversationDelivered, "business_initiated", "IN", 3),
                    (2022_05_02, .conversationBillable, "business_initiated", "IN", 3),
                    (2022_05_03, .conversationDelivered, "user_initiated", "IN", 2),
                    (2022_05_03, .conversationBillable, "user_initiated", "IN", 1),
                ],
                free: [
                    FreeTierConversation(day: 2022_05_02, category: "business_initiated", country: "IN"),
                    FreeTierConversation(day: 2022_05_02, category: "business_initiated", country: "IN"),
                ]))
        #expect(report.conversations.delivered == 5)
        #expect(report.conversations.freeEntryPoint == 1)
        #expect(report.conversations.freeTier == 2)
        #expect(report.conversations.charged == 2)
        #expect(report.conversations.byCategory["business_initiated"]?.charged == 1)
        #expect(report.conversations.byCategory["user_initiated"]?.charged == 1)
    }

    @Test("from 2024-11 every service conversation is free; other categories are charged")
    func serviceFree() {
        let report = ReportBuilder.build(
            inputs(
                month: "2024-12",
                rows: [
                    (2024_12_02, .conversationDelivered, "service", "IN", 1500),
                    (2024_12_02, .conversationBillable, "service", "IN", 1500),
                    (2024_12_02, .conversationDelivered, "marketing", "IN", 7),
                    (2024_12_02, .conversationBillable, "marketing", "IN", 7),
                ]))
        #expect(report.conversations.charged == 7)
        #expect(report.conversations.freeTier == 1500)
        #expect(
            report.conversations.byCategory["service"] == Report.CategoryLine(delivered: 1500, charged: 0, cost: "0"))
    }

    @Test("JSON has exactly the contract's field names")
    func jsonShape() throws {
        let report = ReportBuilder.build(
            inputs(month: "2026-03", rows: [(2026_03_10, .messageCharged, "marketing", "IN", 1)]))
        let object = try #require(try JSONSerialization.jsonObject(with: report.jsonData()) as? [String: Any])
        for key in ["account", "month", "timezone", "currency", "conversations", "messages", "by_market", "cost"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        let conversations = try #require(object["conversations"] as? [String: Any])
        for key in ["delivered", "charged", "dropped", "pending", "by_category"] { #expect(conversations[key] != nil) }
        let messages = try #require(object["messages"] as? [String: Any])
        for key in ["sent", "delivered", "read", "failed", "received", "charged", "dropped", "pending", "by_category"] {
            #expect(messages[key] != nil)
        }
        let cost = try #require(object["cost"] as? [String: Any])
        #expect(cost["total"] as? String == "0")
        #expect(cost["currency"] as? String == "USD")
        #expect(object["month"] as? String == "2026-03")
        #expect(object["timezone"] as? String == "Asia/Kolkata")
    }

    @Test("CSV has one row per kind, category, market and country, with unrated units and volume tiers")
    func csv() {
        let rates = [
            RateEntry(
                effectiveFrom: 2026_01_01, currency: "USD", market: "India", category: "marketing",
                rate: Decimal(string: "0.0118")!)
        ]
        var input = inputs(
            month: "2026-03",
            rows: [
                (2026_03_10, .messageCharged, "marketing", "IN", 2),
                (2026_03_10, .messageDelivered, "marketing", "IN", 2),
                (2026_03_10, .messageCharged, "marketing", "BR", 1),
                (2026_03_11, .messageCharged, "utility", "IN", 3),
            ],
            rates: rates)
        input.rates = RateCard(
            rates,
            tiers: [
                TierEntry(
                    effectiveFrom: 2026_01_01, currency: "USD", market: "India", category: "utility", volumeFrom: 1,
                    volumeTo: 2, rate: Decimal(string: "0.0014")!),
                TierEntry(
                    effectiveFrom: 2026_01_01, currency: "USD", market: "India", category: "utility", volumeFrom: 3,
                    volumeTo: nil, rate: Decimal(string: "0.0010")!),
            ])
        let report = ReportBuilder.build(input)
        #expect(
            report.csvText() == """
                account,month,kind,category,market,country,delivered,charged,cost,currency,unrated,tier,portfolio_charged,meta_tier
                A,2026-03,message,marketing,Brazil,BR,0,1,0,USD,1,,,
                A,2026-03,message,marketing,India,IN,2,2,0.0236,USD,0,,,
                A,2026-03,message,utility,India,IN,0,3,0.0038,USD,0,3:MAX,3,

                """)
        #expect(report.tableText().contains("Volume tiers"))
        #expect(report.tableText().contains("3:MAX"))
    }
}
