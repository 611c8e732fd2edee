import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing
import TrafficSimulator
import WhatsAppWebhook

@Suite("Traffic simulator")
struct TrafficSimulatorTests {
    /// 2026-09-20: per-message pricing, with the October 2026 changes and a month boundary ahead.
    static let pmp = SimulationSettings(seed: 7, start: 1_789_862_400, meanGapSeconds: 120)
    /// 2024-05-20: conversation-based pricing.
    static let cbp = SimulationSettings(seed: 7, start: 1_716_163_200, meanGapSeconds: 120)
    /// 2022-03-01: the 2022 categories.
    static let cbp2022 = SimulationSettings(seed: 3, start: 1_646_092_800, meanGapSeconds: 120)
    /// 2026-09-20 with voice calls and app and agent messages.
    static let withCalls = SimulationSettings(
        seed: 11, start: 1_789_862_400, meanGapSeconds: 120, callRate: 0.1, echoRate: 0.05)

    static func bodies(_ settings: SimulationSettings, _ count: Int) -> ([SimulatedBody], SimulationStats) {
        var simulator = TrafficSimulator(settings)
        let bodies = (0..<count).map { _ in simulator.next() }
        return (bodies, simulator.stats)
    }

    @Test("every body decodes, in every era, and every kind of body and event occurs")
    func decodes() throws {
        let decoder = WebhookDecoder()
        var kinds: Set<SimulatedBody.Kind> = []
        var statuses: Set<String> = []
        var pricingTypes: Set<String> = []
        var categories: Set<String> = []
        var shapes: Set<String> = []
        for settings in [Self.pmp, Self.cbp, Self.cbp2022, Self.withCalls] {
            for body in Self.bodies(settings, 4_000).0 {
                kinds.insert(body.kind)
                for event in try decoder.decode(body.bytes) {
                    switch event {
                    case .status(let status):
                        statuses.insert("\(status.status)")
                        if let type = status.pricing?.type { pricingTypes.insert(type) }
                        if let category = status.pricing?.category { categories.insert(category) }
                        if status.pricing?.costAmount != nil { shapes.insert("cost") }
                        if status.recipientParticipantId != nil { shapes.insert("group member") }
                        if status.recipientUserId != nil { shapes.insert("business-scoped user") }
                        if status.recipientCountryCode != nil { shapes.insert("contact country") }
                        if status.errorCode != nil { shapes.insert("error code") }
                        if status.conversation?.expirationTimestamp != nil { shapes.insert("conversation window") }
                    case .inbound(let message):
                        shapes.insert(message.hasReferral ? "ad referral" : "inbound")
                    case .accountUpdate(let update):
                        if update.volumeTier != nil { shapes.insert("tier update") }
                    case .systemError: shapes.insert("system error")
                    case .unhandledChange: Issue.record("the simulator wrote a change wameter does not read")
                    case .phoneNumber: break
                    case .call, .callStatus: shapes.insert("call")
                    case .echo: shapes.insert("echo")
                    }
                }
            }
        }
        #expect(kinds == Set(SimulatedBody.Kind.allCases))
        #expect(statuses == ["sent", "delivered", "read", "failed"])
        #expect(pricingTypes == ["regular", "free_customer_service", "free_entry_point"])
        #expect(
            categories.isSuperset(of: [
                "marketing", "utility", "authentication", "authentication_international", "service", "marketing_lite",
                "referral_conversion", "group_marketing", "group_utility", "business_initiated", "user_initiated",
            ]))
        #expect(
            shapes == [
                "cost", "group member", "business-scoped user", "contact country", "error code", "conversation window",
                "inbound", "ad referral", "tier update", "system error", "call", "echo",
            ])
    }

    @Test("simulated calls: each call is counted once however its events arrive, and every one is rated")
    func calls() async throws {
        let (bodies, _) = Self.bodies(Self.withCalls, 3_000)
        let decoder = WebhookDecoder()
        var callIds: Set<String> = []
        var echoes: Set<String> = []
        for body in bodies {
            for event in try decoder.decode(body.bytes) {
                if case .call(let call) = event { callIds.insert(call.callId) }
                if case .echo(let echo) = event { echoes.insert(echo.messageId) }
            }
        }
        #expect(callIds.count > 50 && echoes.count > 20)
        let store = try await StoreBackend.sqlite.makeStore(accounts: SimulatedAccount.demo.map(\.account))
        try await LedgerScenario.ingest(store, bodies.map(\.bytes))
        var placed = 0
        var echoed = 0
        for account in SimulatedAccount.demo {
            for month in ["2026-09", "2026-10", "2026-11"] {
                let report = try await LedgerScenario.report(store, account.id, month)
                placed += report.calls.count
                echoed += report.messages.appSent + report.messages.agentSent
                #expect(report.calls.unrated == 0, "\(account.id) \(month)")
                #expect(report.calls.unknownDirection == 0)
            }
        }
        #expect(placed == callIds.count)
        #expect(echoed == echoes.count)
    }

    @Test("equal seeds give equal output, byte for byte; another seed gives other output")
    func deterministic() {
        let first = Self.bodies(Self.pmp, 2_000)
        let second = Self.bodies(Self.pmp, 2_000)
        #expect(first.0.map(\.bytes) == second.0.map(\.bytes))
        #expect(first.1 == second.1)
        var other = Self.pmp
        other.seed = 8
        #expect(Self.bodies(other, 200).0.map(\.bytes) != first.0.prefix(200).map(\.bytes))
    }

    @Test("bodies come in send order, some batched, some sent twice and out of order")
    func ordering() throws {
        // From 2026-09-29 12:00 UTC: the simulated clock passes the end of the month.
        var settings = Self.pmp
        settings.start = 1_790_683_200
        let (bodies, stats) = Self.bodies(settings, 4_000)
        #expect(zip(bodies, bodies.dropFirst()).allSatisfy { $0.sentAt <= $1.sentAt })
        #expect(stats.redeliveries > 0)
        #expect(bodies.filter(\.isRedelivery).count == stats.redeliveries)
        let decoder = WebhookDecoder()
        let batched = try bodies.filter { try decoder.decode($0.bytes).count > 1 }
        #expect(!batched.isEmpty)
        // Some batches span several accounts (entries), as Meta's may (reference §13.5).
        let multiAccount = try batched.contains { body in
            Set(
                try decoder.decode(body.bytes).compactMap { event -> String? in
                    if case .status(let s) = event { return s.account }
                    return nil
                }
            ).count > 1
        }
        #expect(multiAccount)
        #expect(stats.bodies == 4_000)
        // Some messages sent in September are delivered in October.
        var sentAt: [String: Int64] = [:]
        var crossed = false
        for body in bodies {
            for case .status(let s) in try decoder.decode(body.bytes) {
                if s.status == .sent { sentAt[s.messageId] = s.timestamp }
                if s.status == .delivered, s.timestamp >= 1_790_812_800, (sentAt[s.messageId] ?? .max) < 1_790_812_800 {
                    crossed = true
                }
            }
        }
        let lateDelivery = crossed
        #expect(lateDelivery)
    }

    @Test("a simulated stream ingested twice, in different orders and batches, gives the same reports")
    func orderFree() async throws {
        let (bodies, _) = Self.bodies(Self.pmp, 3_000)
        let decoder = WebhookDecoder()
        func ingest(_ bodies: [SimulatedBody], batch: Int) async throws -> any LedgerStore {
            let store = try SQLiteLedgerStore()
            for account in SimulatedAccount.demo {
                _ = try await store.upsertAccount(account.account)
            }
            var index = 0
            while index < bodies.count {
                let slice = bodies[index..<min(index + batch, bodies.count)]
                _ = try await store.ingest(
                    slice.map {
                        ReceivedBody(
                            bytes: $0.bytes, events: try! decoder.decode($0.bytes), receivedAt: 0, source: "test")
                    })
                index += batch
            }
            return store
        }
        var shuffler = SystemRandomNumberGenerator()
        let inOrder = try await ingest(bodies, batch: 500)
        let shuffled = try await ingest(bodies.shuffled(using: &shuffler) + bodies.prefix(300), batch: 37)
        for account in SimulatedAccount.demo {
            for month in ["2026-09", "2026-10"] {
                let a = try await inOrder.report(accountID: account.id, month: YearMonth(month)!, now: 1_800_000_000)
                let b = try await shuffled.report(accountID: account.id, month: YearMonth(month)!, now: 1_800_000_000)
                #expect(a == b)
                #expect(a.messages.charged > 0 || month == "2026-10")
            }
        }
    }
}
