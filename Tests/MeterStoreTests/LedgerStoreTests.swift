import Foundation
import MeterCore
import MeterStore
import Synchronization
import TestSupport
import Testing
import WhatsAppWebhook

@Suite("Ledger store", .closesStores)
struct LedgerStoreTests {
    /// A mixed scenario: CBP conversations (several messages each, one never delivered), PMP messages
    /// (charged, free, failed, read without delivered, pricing only on sent), inbound messages, two
    /// accounts, and a delivery that crosses a month boundary in the account's time zone.
    static func mixedBodies() -> [Data] {
        var bodies: [Data] = []
        let june2023 = utc("2023-06-29T10:00:00Z")
        for n in 0..<6 {
            let conversation = "conv\(n)"
            let category = ["marketing", "utility", "service"][n % 3]
            bodies.append(
                LedgerScenario.status(
                    "c\(n)a", "sent", at: june2023 + Int64(n) * 600, pricing: LedgerScenario.cbp(category),
                    conversation: conversation))
            if n != 5 {
                bodies.append(
                    LedgerScenario.status(
                        "c\(n)a", "delivered", at: june2023 + Int64(n) * 600 + 86_400 * Int64(n % 3),
                        pricing: LedgerScenario.cbp(category), conversation: conversation))
                bodies.append(
                    LedgerScenario.status("c\(n)a", "read", at: june2023 + Int64(n) * 600 + 86_400 * Int64(n % 3) + 60))
                bodies.append(
                    LedgerScenario.status(
                        "c\(n)b", "sent", at: june2023 + Int64(n) * 600 + 100_000,
                        pricing: LedgerScenario.cbp(category),
                        conversation: conversation))
                bodies.append(
                    LedgerScenario.status(
                        "c\(n)b", "delivered", at: june2023 + Int64(n) * 600 + 100_100,
                        pricing: LedgerScenario.cbp(category),
                        conversation: conversation))
            }
        }
        let july2025 = utc("2025-07-31T20:00:00Z")
        bodies.append(
            LedgerScenario.status(
                "p1", "sent", at: july2025, to: "5511987654321", pricing: LedgerScenario.pmp("marketing")))
        bodies.append(
            LedgerScenario.status(
                "p1", "delivered", at: july2025 + 30, to: "5511987654321", pricing: LedgerScenario.pmp("marketing")))
        bodies.append(LedgerScenario.status("p2", "sent", at: july2025, pricing: LedgerScenario.pmp("utility")))
        bodies.append(LedgerScenario.status("p2", "read", at: july2025 + 7_200))
        bodies.append(
            LedgerScenario.status(
                "p3", "delivered", at: july2025, pricing: LedgerScenario.pmp("service", type: "free_customer_service")))
        bodies.append(LedgerScenario.status("p4", "sent", at: july2025, pricing: LedgerScenario.pmp("marketing")))
        bodies.append(LedgerScenario.status("p4", "failed", at: july2025 + 5, error: 131026))
        bodies.append(
            LedgerScenario.status(
                account: "B", "p5", "delivered", at: july2025, to: "447700900123",
                pricing: LedgerScenario.pmp("authentication")))
        bodies.append(LedgerScenario.inbound("in1", from: "919876543210", at: july2025 - 100))
        bodies.append(LedgerScenario.inbound("in1", from: "919876543210", at: july2025 - 100))
        return bodies
    }

    static let months = ["2023-06", "2023-07", "2025-07", "2025-08"]

    func reports(_ store: any LedgerStore) async throws -> [String: Report] {
        var all: [String: Report] = [:]
        for account in ["A", "B"] {
            for month in Self.months { all[account + month] = try await LedgerScenario.report(store, account, month) }
        }
        return all
    }

    func freshStore(_ backend: StoreBackend) async throws -> any LedgerStore {
        try await backend.makeStore(accounts: [
            Account(id: "A", timezone: "Asia/Kolkata", currency: "USD"),
            Account(id: "B", timezone: "America/Los_Angeles", currency: "USD"),
        ])
    }

    @Test(
        "any order and any batching of the same bodies, with duplicates, gives the same reports",
        arguments: StoreBackend.all)
    func orderFree(_ backend: StoreBackend) async throws {
        let bodies = Self.mixedBodies()
        let inOrder = try await freshStore(backend)
        try await LedgerScenario.ingestOneByOne(inOrder, bodies)
        let expected = try await reports(inOrder)

        var rng = SystemRandomNumberGenerator()
        for round in 0..<4 {
            let store = try await freshStore(backend)
            var shuffled = bodies + bodies.prefix(round * 3)
            shuffled.shuffle(using: &rng)
            var index = 0
            while index < shuffled.count {
                let size = Int.random(in: 1...7, using: &rng)
                try await LedgerScenario.ingest(store, Array(shuffled[index..<min(index + size, shuffled.count)]))
                index += size
            }
            #expect(try await reports(store) == expected, "round \(round)")
        }
        let reversed = try await freshStore(backend)
        try await LedgerScenario.ingest(reversed, bodies.reversed())
        #expect(try await reports(reversed) == expected)
    }

    @Test("the mixed scenario's numbers", arguments: StoreBackend.all)
    func mixedNumbers(_ backend: StoreBackend) async throws {
        let store = try await freshStore(backend)
        try await LedgerScenario.ingest(store, Self.mixedBodies())
        let june = try await LedgerScenario.report(store, "A", "2023-06", now: utc("2023-07-05T00:00:00Z"))
        let july = try await LedgerScenario.report(store, "A", "2023-07", now: utc("2023-07-05T00:00:00Z"))
        // India is UTC+5:30: conversations delivered on 06-29/06-30 UTC stay in June unless after 18:30.
        #expect(june.conversations.delivered + july.conversations.delivered == 5)
        #expect(june.conversations.pending == 1)  // conv5 was sent in June and never delivered
        #expect(june.conversations.dropped == 0)
        let later = try await LedgerScenario.report(store, "A", "2023-06", now: utc("2023-08-30T00:00:00Z"))
        #expect(later.conversations.dropped == 1)
        #expect(later.conversations.pending == 0)

        let pmp = try await LedgerScenario.report(store, "A", "2025-08", now: utc("2025-08-05T00:00:00Z"))
        // 2025-07-31T20:00Z is August 1st in India.
        #expect(pmp.messages.sent == 4)
        #expect(pmp.messages.delivered == 3)
        #expect(pmp.messages.read == 1)
        #expect(pmp.messages.failed == 1)
        #expect(pmp.messages.charged == 2)  // p1 marketing (Brazil) and p2 utility (read without delivered)
        #expect(pmp.byMarket["Brazil"]?.charged == 1)
        #expect(pmp.byMarket["India"]?.charged == 1)
        #expect(pmp.messages.received == 1)  // 19:58 UTC on July 31st is August 1st in India
        #expect(try await LedgerScenario.report(store, "A", "2025-07").messages.received == 0)
        let b = try await LedgerScenario.report(store, "B", "2025-07")
        #expect(b.messages.charged == 1)
        #expect(b.byMarket["United Kingdom"]?.charged == 1)
    }

    @Test(
        "ingesting the same bodies twice changes no count; the archive keeps both deliveries",
        arguments: StoreBackend.all)
    func idempotent(_ backend: StoreBackend) async throws {
        let store = try await freshStore(backend)
        let bodies = Self.mixedBodies()
        let first = try await LedgerScenario.ingest(store, bodies)
        #expect(first.changedRecords > 0)
        let before = try await reports(store)
        let again = try await LedgerScenario.ingest(store, bodies)
        #expect(again.bodies == bodies.count)
        // Both backends say that nothing changed.
        #expect(again.changedRecords == 0)
        #expect(try await reports(store) == before)
        #expect(try await store.archivedBodyCount() == 2 * bodies.count)
        _ = try await store.rebuild(decoder: WebhookDecoder())
        #expect(try await reports(store) == before)
    }

    @Test("rebuild from the raw archive gives the same reports", arguments: StoreBackend.all)
    func rebuild(_ backend: StoreBackend) async throws {
        let store = try await freshStore(backend)
        try await LedgerScenario.ingest(store, Self.mixedBodies())
        let before = try await reports(store)
        let outcome = try await store.rebuild(decoder: WebhookDecoder())
        #expect(outcome.bodies == Self.mixedBodies().count)
        #expect(try await reports(store) == before)
    }

    @Test("rebuild tells its progress after each batch of archived bodies", arguments: StoreBackend.all)
    func rebuildProgress(_ backend: StoreBackend) async throws {
        let store = try await freshStore(backend)
        let bodies = (0..<4_500).map {
            LedgerScenario.status("m\($0)", "sent", at: 1_752_577_200 + Int64($0))
        }
        try await LedgerScenario.ingest(store, bodies)
        final class Seen: Sendable {
            let counts = Mutex<[Int]>([])
        }
        let seen = Seen()
        let outcome = try await store.rebuild(decoder: WebhookDecoder()) { done in
            seen.counts.withLock { $0.append(done) }
        }
        #expect(outcome.bodies == 4_500)
        // Batches of 2,000, then the rest.
        #expect(seen.counts.withLock { $0 } == [2_000, 4_000, 4_500])
    }

    @Test(
        "a conversation sent in one month and delivered in the next counts in the delivery month",
        arguments: StoreBackend.all)
    func sentAndDeliveredInDifferentMonths(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        _ = try await store.upsertAccount(Account(id: "A", timezone: "America/Los_Angeles", currency: "USD"))
        try await LedgerScenario.ingest(
            store,
            [
                LedgerScenario.status(
                    "m", "sent", at: utc("2023-06-30T18:00:00Z"), pricing: LedgerScenario.cbp("marketing"),
                    conversation: "c")
            ])
        let beforeDelivery = try await LedgerScenario.report(store, "A", "2023-06", now: utc("2023-07-01T12:00:00Z"))
        #expect(beforeDelivery.conversations.pending == 1)
        #expect(beforeDelivery.conversations.delivered == 0)
        try await LedgerScenario.ingest(
            store,
            [
                LedgerScenario.status(
                    "m", "delivered", at: utc("2023-07-02T09:00:00Z"), pricing: LedgerScenario.cbp("marketing"),
                    conversation: "c")
            ])
        let june = try await LedgerScenario.report(store, "A", "2023-06", now: utc("2023-07-03T00:00:00Z"))
        let july = try await LedgerScenario.report(store, "A", "2023-07", now: utc("2023-07-03T00:00:00Z"))
        #expect(june.conversations.pending == 0)
        #expect(june.conversations.delivered == 0)
        #expect(june.messages.sent == 1)
        #expect(july.conversations.delivered == 1)
        #expect(july.conversations.charged == 1)
        #expect(july.messages.delivered == 1)
    }

    @Test("month boundaries are the account's local midnight", arguments: StoreBackend.all)
    func monthBoundaryInTimeZone(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        _ = try await store.upsertAccount(Account(id: "A", timezone: "Asia/Kolkata", currency: "USD"))
        _ = try await store.upsertAccount(Account(id: "U", timezone: "UTC", currency: "USD"))
        // 2023-06-30T18:29:59Z is June 30th 23:59:59 IST; one second later is July 1st.
        try await LedgerScenario.ingest(
            store,
            [
                LedgerScenario.status(
                    "x", "delivered", at: utc("2023-06-30T18:29:59Z"), pricing: LedgerScenario.cbp("utility"),
                    conversation: "c1"),
                LedgerScenario.status(
                    "y", "delivered", at: utc("2023-06-30T18:30:00Z"), pricing: LedgerScenario.cbp("utility"),
                    conversation: "c2"),
                LedgerScenario.status(
                    account: "U", "z", "delivered", at: utc("2023-06-30T18:30:00Z"),
                    pricing: LedgerScenario.cbp("utility"),
                    conversation: "c3"),
            ])
        #expect(try await LedgerScenario.report(store, "A", "2023-06").conversations.delivered == 1)
        #expect(try await LedgerScenario.report(store, "A", "2023-07").conversations.delivered == 1)
        #expect(try await LedgerScenario.report(store, "U", "2023-06").conversations.delivered == 1)
    }

    @Test(
        "messages not delivered are pending for 30 days, then dropped; failures are neither",
        arguments: StoreBackend.all)
    func pendingThenDropped(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let sent = utc("2025-09-10T00:00:00Z")
        try await LedgerScenario.ingest(
            store,
            [
                LedgerScenario.status("m1", "sent", at: sent, pricing: LedgerScenario.pmp("marketing")),
                LedgerScenario.status("m2", "sent", at: sent, pricing: LedgerScenario.pmp("marketing")),
                LedgerScenario.status("m2", "failed", at: sent + 9, error: 131049),
            ])
        let pending = try await LedgerScenario.report(store, "A", "2025-09", now: sent + 29 * 86_400)
        #expect(pending.messages.pending == 1)
        #expect(pending.messages.dropped == 0)
        #expect(pending.messages.failed == 1)
        let dropped = try await LedgerScenario.report(store, "A", "2025-09", now: sent + 30 * 86_400)
        #expect(dropped.messages.pending == 0)
        #expect(dropped.messages.dropped == 1)
        #expect(dropped.messages.charged == 0)
    }

    @Test(
        "a webhook for an account never added creates it with UTC and USD; adding it later moves its days",
        arguments: StoreBackend.all)
    func unknownAccount(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let outcome = try await LedgerScenario.ingest(
            store,
            [
                LedgerScenario.status(
                    account: "NEW", "m", "delivered", at: utc("2023-06-30T20:00:00Z"),
                    pricing: LedgerScenario.cbp("marketing"),
                    conversation: "c"),
                LedgerScenario.inbound(account: "NEW", "in", from: "919876543210", at: utc("2023-06-30T20:00:00Z")),
            ])
        #expect(outcome.createdAccounts == ["NEW"])
        let created = try #require(try await store.account(id: "NEW"))
        #expect(created.timezone == "UTC")
        #expect(created.currency == "USD")
        #expect(created.autoCreated)
        #expect(try await LedgerScenario.report(store, "NEW", "2023-06").conversations.delivered == 1)

        let change = try await store.upsertAccount(Account(id: "NEW", timezone: "Asia/Kolkata", currency: "INR"))
        #expect(change == .updated(timezoneChanged: true))
        let june = try await LedgerScenario.report(store, "NEW", "2023-06")
        #expect(june.conversations.delivered == 0)
        #expect(june.messages.delivered == 0)
        #expect(june.messages.received == 0)
        let july = try await LedgerScenario.report(store, "NEW", "2023-07")
        #expect(july.conversations.delivered == 1)
        #expect(july.messages.delivered == 1)
        #expect(july.messages.received == 1)
        #expect(july.currency == "INR")
        #expect(try await store.account(id: "NEW")?.autoCreated == false)
    }

    @Test("updating an account without --name or --portfolio keeps the stored ones", arguments: StoreBackend.all)
    func updateKeepsOptionalFields(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        #expect(
            try await store.upsertAccount(
                Account(id: "A", name: "Shop", timezone: "UTC", currency: "USD", portfolio: "P1")) == .created)
        #expect(try await store.upsertAccount(Account(id: "A", timezone: "UTC", currency: "USD")) == .unchanged)
        #expect(
            try await store.upsertAccount(Account(id: "A", timezone: "UTC", currency: "EUR"))
                == .updated(timezoneChanged: false))
        let stored = try #require(try await store.account(id: "A"))
        #expect(stored.name == "Shop")
        #expect(stored.portfolio == "P1")
        #expect(stored.currency == "EUR")
    }

    @Test("a batched body for several accounts lands in each account (reference 11.11)", arguments: StoreBackend.all)
    func batchedAccounts(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let body = try Fixtures.data("reference-11.11-0-0.json")
        let outcome = try await LedgerScenario.ingest(store, [body])
        #expect(Set(outcome.createdAccounts) == ["102290129340398", "209876543210987"])
        #expect(outcome.statusEvents == 4)
        #expect(outcome.inboundMessages == 1)
        let first = try await LedgerScenario.report(store, "102290129340398", "2025-10")
        #expect(first.messages.sent == 2)  // AAA1 sent, AAA2 read (implies sent); AAA3 failed only
        #expect(first.messages.delivered == 1)
        #expect(first.messages.failed == 1)
        #expect(first.messages.received == 1)
        let second = try await LedgerScenario.report(store, "209876543210987", "2025-10")
        #expect(second.messages.charged == 1)
        #expect(second.messages.byCategory["authentication_international"]?.charged == 1)
    }

    @Test("On-Premises bodies are attributed to the account the caller names", arguments: StoreBackend.all)
    func onPremises(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let body = Data(
            #"{"statuses":[{"id":"gB1","recipient_id":"16315551234","status":"delivered","timestamp":"1643048200","type":"message","conversation":{"id":"conv","expiration_timestamp":1643134600,"origin":{"type":"user_initiated"}},"pricing":{"billable":true,"pricing_model":"CBP","category":"user_initiated"}}]}"#
                .utf8)
        try await LedgerScenario.ingest(store, [body], onPremisesAccount: "legacy")
        let report = try await LedgerScenario.report(store, "legacy", "2022-01")
        #expect(report.conversations.delivered == 1)
        #expect(report.conversations.byCategory["user_initiated"]?.delivered == 1)
    }
}
