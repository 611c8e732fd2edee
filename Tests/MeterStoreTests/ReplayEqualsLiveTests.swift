import Foundation
import MeterCore
import TestSupport
import Testing
import TrafficSimulator
import WhatsAppWebhook

@testable import MeterStore

/// The ledger is a function of the archive: however the bodies were grouped into transactions as
/// they arrived, a rebuild (which groups them its own way) gives the same reports.
@Suite("Replay equals live", .closesStores)
struct ReplayEqualsLiveTests {

    @Test(
        "a message whose statuses name two conversation ids: the conversation it left is recounted",
        arguments: StoreBackend.all)
    func conversationIdChange(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let sentAt = utc("2023-06-10T10:00:00Z")
        // `sent` names conversation A; the delivery, which the ledger prefers, names B.
        try await LedgerScenario.ingest(
            store,
            [
                LedgerScenario.status(
                    "m1", "sent", at: sentAt, pricing: LedgerScenario.cbp("marketing"), conversation: "A")
            ])
        try await LedgerScenario.ingest(
            store,
            [
                LedgerScenario.status(
                    "m1", "delivered", at: sentAt + 60, pricing: LedgerScenario.cbp("marketing"), conversation: "B")
            ])
        let live = try await LedgerScenario.report(store, "A", "2023-06")
        #expect(live.conversations.delivered == 1)
        // Before the fix, A kept the send and was reported dropped (sent, never delivered).
        #expect(live.conversations.dropped == 0)
        #expect(live.conversations.pending == 0)
        _ = try await store.rebuild(decoder: WebhookDecoder())
        #expect(try await LedgerScenario.report(store, "A", "2023-06") == live)
    }

    @Test(
        "a message whose preferred pricing stops being a free entry point: the conversation is charged again",
        arguments: StoreBackend.all)
    func freeEntryPointWithdrawn(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let at = utc("2024-03-05T08:00:00Z")
        // `sent` says billable false (a free entry point); the delivery, preferred, says billable.
        try await LedgerScenario.ingest(
            store,
            [
                LedgerScenario.status(
                    "m1", "sent", at: at, pricing: LedgerScenario.cbp("marketing", billable: false), conversation: "C")
            ])
        try await LedgerScenario.ingest(
            store,
            [
                LedgerScenario.status(
                    "m1", "delivered", at: at + 5, pricing: LedgerScenario.cbp("marketing"), conversation: "C")
            ])
        let live = try await LedgerScenario.report(store, "A", "2024-03")
        #expect(live.conversations.charged == 1)
        _ = try await store.rebuild(decoder: WebhookDecoder())
        #expect(try await LedgerScenario.report(store, "A", "2024-03") == live)
    }

    /// Random statuses of a few messages, each naming one of a few conversation ids, with CBP or
    /// PMP pricing, free entry points and failures, ingested live in random groups.
    @Test(
        "random bodies ingested in random groups equal a rebuild and a one-by-one ingest", arguments: StoreBackend.all)
    func randomGroups(_ backend: StoreBackend) async throws {
        // Fewer seeds on PostgreSQL, where each store is a schema and a connection pool of its own.
        for seed in UInt64(1)...(backend == .sqlite ? 12 : 4) {
            var random = SeededRandom(seed: seed)
            let bodies = Self.randomBodies(&random, count: 60)
            let live = try await backend.makeStore()
            try await Self.ingestInRandomGroups(live, bodies, &random, largest: 7)
            let oneByOne = try await backend.makeStore()
            try await LedgerScenario.ingestOneByOne(oneByOne, bodies.shuffled(using: &random))
            let months = ["2023-05", "2023-06", "2023-07"]
            var before: [Report] = []
            for month in months { before.append(try await LedgerScenario.report(live, "A", month)) }
            for (month, report) in zip(months, before) {
                #expect(
                    try await LedgerScenario.report(oneByOne, "A", month) == report,
                    "seed \(seed), \(month), one by one")
            }
            _ = try await live.rebuild(decoder: WebhookDecoder())
            for (month, report) in zip(months, before) {
                #expect(try await LedgerScenario.report(live, "A", month) == report, "seed \(seed), \(month), rebuilt")
            }
            // Give the connections back now rather than when the test ends: the suites run in
            // parallel against one server, whose connection limit they share.
            for store in [live, oneByOne] {
                if let postgres = store as? PostgresLedgerStore { await postgres.close() }
            }
        }
    }

    @Test(
        "a rebuild that writes its counters many times over (small batches, every batch's counter changes written at once, as a large archive's are) equals live, day and half-hour counters alike",
        arguments: StoreBackend.all)
    func boundedCounterChanges(_ backend: StoreBackend) async throws {
        for seed in UInt64(1)...3 {
            var random = SeededRandom(seed: seed)
            let bodies = Self.randomBodies(&random, count: 80)
            let store = try await backend.makeStore()
            try await Self.ingestInRandomGroups(store, bodies, &random, largest: 9)
            let months = ["2023-06", "2023-07"]
            func state() async throws -> ([Report], InsightsResult) {
                var reports: [Report] = []
                for month in months { reports.append(try await LedgerScenario.report(store, "A", month)) }
                return (
                    reports,
                    try await HalfHourInsightsTests.insights(store, "2023-06-29", "2023-07-03", "half_hour")
                )
            }
            let (live, liveHalfHours) = try await state()
            #expect(!liveHalfHours.rows.isEmpty)
            let limits = ArchiveReplay.Limits(batchSize: 3, maxPendingCounterChanges: 1)
            switch store {
            case let sqlite as SQLiteLedgerStore:
                _ = try await sqlite.rebuild(decoder: WebhookDecoder(), progress: nil, limits: limits)
            case let postgres as PostgresLedgerStore:
                _ = try await postgres.rebuild(decoder: WebhookDecoder(), progress: nil, limits: limits)
            default:
                Issue.record("a store of neither backend")
            }
            let (rebuilt, rebuiltHalfHours) = try await state()
            #expect(rebuilt == live, "seed \(seed)")
            #expect(rebuiltHalfHours.rows == liveHalfHours.rows, "seed \(seed)")
            #expect(rebuiltHalfHours.totals == liveHalfHours.totals, "seed \(seed)")
            if let postgres = store as? PostgresLedgerStore { await postgres.close() }
        }
    }

    /// Ingests the bodies in order, in transactions of 1 to `largest` bodies.
    static func ingestInRandomGroups(
        _ store: any LedgerStore, _ bodies: [Data], _ random: inout SeededRandom, largest: UInt64
    ) async throws {
        var index = 0
        while index < bodies.count {
            let size = Int(random.next() % largest) + 1
            try await LedgerScenario.ingest(store, Array(bodies[index..<min(index + size, bodies.count)]))
            index += size
        }
    }

    static func randomBodies(_ random: inout SeededRandom, count: Int) -> [Data] {
        let start = utc("2023-06-29T22:00:00Z")
        let statuses = ["sent", "delivered", "read", "failed"]
        let categories = ["marketing", "utility", "service", "referral_conversion"]
        return (0..<count).map { _ in
            let message = "m\(random.next() % 6)"
            let status = statuses[Int(random.next() % 4)]
            let at = start + Int64(random.next() % 200_000)
            let category = categories[Int(random.next() % 4)]
            let pricing: WebhookBodyBuilder.Pricing? =
                switch random.next() % 5 {
                case 0: nil
                case 1: LedgerScenario.pmp(category == "referral_conversion" ? "marketing" : category)
                case 2: LedgerScenario.cbp(category, billable: false)
                default: LedgerScenario.cbp(category)
                }
            let conversation = random.next() % 4 == 0 ? nil : "conv\(random.next() % 3)"
            return LedgerScenario.status(
                message, status, at: at, to: random.next() % 2 == 0 ? "919876543210" : "5511987654321",
                pricing: pricing, conversation: conversation, error: status == "failed" ? 131_047 : nil)
        }
    }
}
