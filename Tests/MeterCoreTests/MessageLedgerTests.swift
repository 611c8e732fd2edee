import Foundation
import Testing
import WhatsAppWebhook

@testable import MeterCore

/// A small deterministic generator so permutation tests are repeatable.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func status(
    _ kind: MessageStatus, at time: Int64, id: String = "wamid.1", recipient: String? = "919876543210",
    pricing: PricingInfo? = nil, conversation: ConversationInfo? = nil, error: Int? = nil
) -> StatusEvent {
    StatusEvent(
        account: "A", phoneNumberId: "P", messageId: id, status: kind, timestamp: time, recipientId: recipient,
        conversation: conversation, pricing: pricing, errorCode: error)
}

func fold(_ events: [StatusEvent]) -> MessageRecord {
    events.map { MessageRecord(account: "A", event: $0) }.reduce(
        MessageRecord(account: "A", messageId: events[0].messageId)
    ) {
        $0.join($1)
    }
}

@Suite("Message ledger merge")
struct MessageLedgerTests {
    let cbp = PricingInfo(billable: true, pricingModel: "CBP", category: "marketing")
    let pmpRegular = PricingInfo(billable: true, pricingModel: "PMP", type: "regular", category: "utility")

    @Test("any permutation of any multiset of the same statuses gives the same record")
    func permutationInvariance() {
        let statuses = [
            status(
                .sent, at: 100,
                pricing: PricingInfo(billable: true, pricingModel: "PMP", type: "regular", category: "marketing")),
            status(.delivered, at: 130, pricing: pmpRegular),
            status(.read, at: 120),
            status(.failed, at: 110, error: 131026),
            status(
                .delivered, at: 125,
                pricing: PricingInfo(
                    billable: false, pricingModel: "PMP", type: "free_customer_service", category: "service")),
            status(.unknown("played_twice"), at: 90),
            status(.sent, at: 95, conversation: ConversationInfo(id: "c1", originType: "utility")),
        ]
        let reference = fold(statuses)
        var rng = SplitMix64(state: 42)
        for _ in 0..<500 {
            var sample = statuses.shuffled(using: &rng)
            // A multiset: duplicate some statuses, as Meta's retries do.
            for _ in 0..<Int.random(in: 0...4, using: &rng) { sample.append(statuses.randomElement(using: &rng)!) }
            sample.shuffle(using: &rng)
            #expect(fold(sample) == reference)
        }
        #expect(reference.sentAt == 95)
        #expect(reference.deliveredAt == 120)  // read at 120 implies delivery at 120
        #expect(reference.readAt == 120)
        #expect(reference.failedAt == 110)
        // Pricing from the earliest delivery-confirming status that carries it (125), not from sent.
        #expect(reference.pricing?.type == "free_customer_service")
        #expect(reference.conversationId == "c1")
    }

    @Test("join is idempotent, commutative and associative")
    func semilattice() {
        let a = MessageRecord(
            account: "A",
            event: status(.sent, at: 10, pricing: cbp, conversation: ConversationInfo(id: "x", originType: "marketing"))
        )
        let b = MessageRecord(account: "A", event: status(.delivered, at: 20, pricing: cbp))
        let c = MessageRecord(account: "A", event: status(.read, at: 15))
        #expect(a.join(a) == a)
        #expect(a.join(b) == b.join(a))
        #expect(a.join(b).join(c) == a.join(b.join(c)))
    }

    @Test("statuses never regress: a late delivered or sent does not undo read")
    func neverRegresses() {
        let record = fold([status(.read, at: 50), status(.delivered, at: 60), status(.sent, at: 40)])
        #expect(record.bestStatus == .read)
        let failedLate = fold([status(.delivered, at: 50), status(.failed, at: 70)])
        #expect(failedLate.bestStatus == .delivered)
    }

    @Test("read without delivered counts as delivered at the read time")
    func readImpliesDelivered() {
        let record = fold([status(.sent, at: 10), status(.read, at: 30)])
        #expect(record.deliveredAt == 30)
        #expect(record.bestStatus == .read)
    }

    @Test("pricing only on sent is kept for the delivered message")
    func pricingOnlyOnSent() {
        let record = fold([status(.sent, at: 10, pricing: pmpRegular), status(.delivered, at: 20)])
        #expect(record.pricing == pmpRegular)
        #expect(PricingRules.isChargedMessage(record))
    }

    @Test("pricing on delivered wins over pricing on sent, whatever arrives first")
    func deliveredPricingWins() {
        let forecast = PricingInfo(billable: true, pricingModel: "PMP", type: "regular", category: "utility")
        let actual = PricingInfo(
            billable: false, pricingModel: "PMP", type: "free_customer_service", category: "utility")
        let one = fold([status(.sent, at: 10, pricing: forecast), status(.delivered, at: 20, pricing: actual)])
        let two = fold([status(.delivered, at: 20, pricing: actual), status(.sent, at: 10, pricing: forecast)])
        #expect(one == two)
        #expect(one.pricing == actual)
        #expect(!PricingRules.isChargedMessage(one))
    }

    @Test("max-price cost is kept from the status that carries it, apart from the pricing choice")
    func costKept() {
        var withCost = pmpRegular
        withCost.costAmount = Decimal(string: "0.035")
        withCost.costCurrency = "USD"
        let record = fold([status(.delivered, at: 20, pricing: pmpRegular), status(.read, at: 25, pricing: withCost)])
        #expect(record.costAmount == Decimal(string: "0.035"))
        #expect(record.pricing?.costAmount == nil)
    }
}
