import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing
import WhatsAppWebhook

/// A group message is sent once: by its own `sent` status, or, when only its members' statuses
/// came (as in real peer payloads), by the first of them. Never per member, never not at all.
@Suite("Group messages are sent once", .closesStores)
struct GroupSendTests {
    let t = utc("2026-02-03T10:00:00Z")

    @Test(
        "only member deliveries: sent once, on the first member's day, in the members' category",
        arguments: StoreBackend.all)
    func membersOnly(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        try await LedgerScenario.ingest(
            store,
            [
                LedgerScenario.groupDelivery("g1", member: "919876543210", at: t + 86_400 * 30),
                LedgerScenario.groupDelivery("g1", member: "5511987654321", at: t),
            ])
        let february = try await LedgerScenario.report(store, "A", "2026-02")
        #expect(february.messages.sent == 1)
        #expect(february.messages.delivered == 1)
        // A group message is never pending itself: its members' records say what was delivered.
        #expect(february.messages.pending == 0)
        let march = try await LedgerScenario.report(store, "A", "2026-03")
        #expect(march.messages.sent == 0)
        #expect(march.messages.delivered == 1)
    }

    @Test(
        "the group's own sent status, arriving last and earlier in time, moves the send to its day",
        arguments: StoreBackend.all)
    func ownSentArrivesLast(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        try await LedgerScenario.ingest(
            store, [LedgerScenario.groupDelivery("g1", member: "919876543210", at: utc("2026-03-01T00:10:00Z"))])
        #expect(try await LedgerScenario.report(store, "A", "2026-03").messages.sent == 1)
        try await LedgerScenario.ingest(store, [LedgerScenario.groupSent("g1", at: utc("2026-02-28T23:59:00Z"))])
        #expect(try await LedgerScenario.report(store, "A", "2026-02").messages.sent == 1)
        #expect(try await LedgerScenario.report(store, "A", "2026-03").messages.sent == 0)
        // The same as a rebuild, which sees the bodies in another grouping.
        let live = try await LedgerScenario.report(store, "A", "2026-02")
        _ = try await store.rebuild(decoder: WebhookDecoder())
        #expect(try await LedgerScenario.report(store, "A", "2026-02") == live)
    }

    @Test("a member's failure alone does not make the group sent")
    func failedMember() {
        var member = MessageRecord(account: "A", messageId: "g1/919876543210")
        member.recipientParticipantId = "919876543210"
        member.failedAt = t
        #expect(member.impliedGroupSend == nil)
        member.deliveredAt = t + 5
        #expect(member.impliedGroupSend?.messageId == "g1")
        #expect(member.impliedGroupSend?.sentAt == t + 5)
        #expect(member.impliedGroupSend?.isGroup == true)
    }
}
