import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing
import WhatsAppWebhook

/// Messages the business sent from the Business app or that Meta's Business Agent sent, on both
/// backends: counted apart, per phone number and country, and never charged.
@Suite("App and agent messages", .closesStores)
struct EchoLedgerTests {
    static let t = utc("2026-02-10T10:00:00Z")

    static func body(field: String, _ value: String) -> Data {
        Data(
            (#"{"object":"whatsapp_business_account","entry":[{"id":"A","changes":[{"field":""# + field
                + #"","value":{"metadata":{"display_phone_number":"15550001111","phone_number_id":"P1"},"# + value
                + "}}]}]}").utf8)
    }

    static func echo(_ id: String, to: String, at time: Int64, field: String = "smb_message_echoes") -> Data {
        body(
            field: field,
            #""message_echoes":[{"from":"15550001111","to":"\#(to)","id":"\#(id)","timestamp":"\#(time)","type":"text"}]"#
        )
    }

    @Test(
        "app-sent and agent-sent messages are counted apart, never charged, and join like other records",
        arguments: StoreBackend.all)
    func counted(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore(accounts: [Account(id: "A", timezone: "UTC", currency: "USD")])
        let bodies = [
            Self.echo("wamid.1", to: "919876543210", at: Self.t),
            Self.echo("wamid.1", to: "919876543210", at: Self.t),  // a retry
            Self.echo("wamid.2", to: "5511999998888", at: Self.t + 60),
            Self.echo("wamid.3", to: "919876543210", at: Self.t + 120, field: "standby"),
            // The agent's reply is delivered: a status like any other, on standby.
            Self.body(
                field: "standby",
                #""statuses":[{"id":"wamid.3","status":"delivered","timestamp":"\#(Self.t + 130)","recipient_id":"919876543210"}]"#
            ),
        ]
        try await LedgerScenario.ingestOneByOne(store, bodies)
        let report = try await LedgerScenario.report(store, "A", "2026-02")
        #expect(report.messages.appSent == 2)
        #expect(report.messages.agentSent == 1)
        // Only the agent's reply has receipts: they count it as sent and delivered, like any message
        // whose statuses arrive; no echo is charged.
        #expect(report.messages.sent == 1 && report.messages.delivered == 1)
        #expect(report.messages.charged == 0)
        #expect(report.cost.total == 0)
        let json = String(decoding: report.jsonData(), as: UTF8.self)
        #expect(json.contains(#""app_sent" : 2"#) && json.contains(#""agent_sent" : 1"#))

        let insights = try await store.insights(
            scope: .accounts(["A"]),
            query: InsightsQuery(
                from: 2026_02_01, to: 2026_02_28, granularity: .total, dimensions: [.phone, .country],
                filters: InsightsFilters()),
            now: 2_000_000_000)
        let byCountry = Dictionary(
            insights.rows.map { ($0.values[1], $0.metrics.messagesAppSent) }, uniquingKeysWith: +)
        #expect(byCountry == ["IN": 1, "BR": 1])
        #expect(insights.rows.allSatisfy { $0.values[0] == "P1" })
        #expect(insights.totals.first?.metrics.messagesAgentSent == 1)

        // Rebuilt from the archive, the same.
        _ = try await store.rebuild(decoder: WebhookDecoder())
        #expect(try await LedgerScenario.report(store, "A", "2026-02") == report)
    }
}
