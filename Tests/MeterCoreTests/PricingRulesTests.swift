import Foundation
import Testing
import WhatsAppWebhook

@testable import MeterCore

@Suite("Billing rules by era")
struct PricingRulesTests {
    struct ChargeCase: CustomTestStringConvertible, Sendable {
        var name: String
        var statuses: [StatusEvent]
        var charged: Bool
        var testDescription: String { name }
    }

    static let july2025: Int64 = 1_752_577_200
    static let chargeCases: [ChargeCase] = [
        ChargeCase(
            name: "PMP regular delivered is charged",
            statuses: [
                status(
                    .delivered, at: july2025,
                    pricing: PricingInfo(billable: true, pricingModel: "PMP", type: "regular", category: "marketing"))
            ],
            charged: true),
        ChargeCase(
            name: "PMP regular only sent is not charged",
            statuses: [
                status(
                    .sent, at: july2025,
                    pricing: PricingInfo(billable: true, pricingModel: "PMP", type: "regular", category: "marketing"))
            ],
            charged: false),
        ChargeCase(
            name: "PMP regular read without delivered is charged",
            statuses: [
                status(
                    .sent, at: july2025,
                    pricing: PricingInfo(billable: true, pricingModel: "PMP", type: "regular", category: "utility")),
                status(.read, at: july2025 + 5),
            ],
            charged: true),
        ChargeCase(
            name: "PMP free_customer_service is free",
            statuses: [
                status(
                    .delivered, at: july2025,
                    pricing: PricingInfo(
                        billable: false, pricingModel: "PMP", type: "free_customer_service", category: "service"))
            ],
            charged: false),
        ChargeCase(
            name: "PMP free_entry_point is free",
            statuses: [
                status(
                    .delivered, at: july2025,
                    pricing: PricingInfo(
                        billable: false, pricingModel: "PMP", type: "free_entry_point", category: "referral_conversion")
                )
            ],
            charged: false),
        ChargeCase(
            name: "PMP without type falls back to billable true",
            statuses: [
                status(
                    .delivered, at: july2025,
                    pricing: PricingInfo(billable: true, pricingModel: "PMP", category: "utility"))
            ],
            charged: true),
        ChargeCase(
            name: "PMP failed is never charged",
            statuses: [
                status(
                    .sent, at: july2025,
                    pricing: PricingInfo(billable: true, pricingModel: "PMP", type: "regular", category: "marketing")),
                status(.failed, at: july2025 + 1, error: 131026),
            ],
            charged: false),
        ChargeCase(
            name: "CBP message is not itself charged (its conversation is)",
            statuses: [
                status(
                    .delivered, at: 1_700_000_000,
                    pricing: PricingInfo(billable: true, pricingModel: "CBP", category: "marketing"))
            ],
            charged: false),
        ChargeCase(
            name: "NBP billable notification is charged per message",
            statuses: [
                status(.delivered, at: 1_632_479_972, pricing: PricingInfo(billable: true, pricingModel: "NBP"))
            ],
            charged: true),
        ChargeCase(
            name: "delivered with no pricing anywhere is not charged",
            statuses: [status(.delivered, at: july2025)],
            charged: false),
        ChargeCase(
            name: "unknown model with type regular is charged per message",
            statuses: [
                status(
                    .delivered, at: july2025,
                    pricing: PricingInfo(billable: true, pricingModel: "XYZ", type: "regular", category: "marketing"))
            ],
            charged: true),
    ]

    @Test("which messages are charged", arguments: chargeCases)
    func messageCharge(_ testCase: ChargeCase) {
        #expect(PricingRules.isChargedMessage(fold(testCase.statuses)) == testCase.charged)
    }

    @Test(
        "why a delivered message is free: its webhook's pricing type (reference §4), under per-message pricing only",
        arguments: [
            (
                PricingInfo(billable: false, pricingModel: "PMP", type: "free_entry_point", category: "marketing"),
                FreeMessageType.freeEntryPoint
            ),
            (
                PricingInfo(billable: false, pricingModel: "PMP", type: nil, category: "referral_conversion"),
                .freeEntryPoint
            ),
            (
                PricingInfo(billable: false, pricingModel: "PMP", type: "free_customer_service", category: "utility"),
                .freeCustomerService
            ),
            (
                PricingInfo(
                    billable: false, pricingModel: "PMP", type: "free_group_customer_service", category: "service"),
                .freeCustomerService
            ),
            (PricingInfo(billable: true, pricingModel: "PMP", type: "regular", category: "service"), nil),
            (PricingInfo(billable: false, pricingModel: "CBP", type: nil, category: "referral_conversion"), nil),
            (PricingInfo(billable: false, pricingModel: "PMP", type: "something_new", category: "utility"), nil),
        ] as [(PricingInfo, FreeMessageType?)])
    func freeMessageType(_ pricing: PricingInfo, _ expected: FreeMessageType?) {
        #expect(
            PricingRules.freeMessageType(fold([status(.delivered, at: Self.july2025, pricing: pricing)])) == expected)
        // Not delivered: not counted at all yet.
        #expect(PricingRules.freeMessageType(fold([status(.sent, at: Self.july2025, pricing: pricing)])) == nil)
    }

    @Test(
        "conversation free tier by billing month",
        arguments: [
            ("2022-01", ConversationFreeTier.none),
            ("2022-02", .first(1000, serviceOnly: false)),
            ("2023-05", .first(1000, serviceOnly: false)),
            ("2023-06", .first(1000, serviceOnly: true)),
            ("2024-10", .first(1000, serviceOnly: true)),
            ("2024-11", .allService),
            ("2025-06", .allService),
        ])
    func freeTier(month: String, rule: ConversationFreeTier) {
        #expect(PricingRules.conversationFreeTier(for: YearMonth(month)!) == rule)
    }

    @Test("conversation ids count only under conversation-based pricing")
    func conversationsOnlyUnderCBP() {
        let cbp = fold([
            status(
                .sent, at: 1_700_000_000,
                pricing: PricingInfo(billable: true, pricingModel: "CBP", category: "utility"),
                conversation: ConversationInfo(id: "c", originType: "utility"))
        ])
        let pmp = fold([
            status(
                .sent, at: 1_750_030_073,
                pricing: PricingInfo(billable: true, pricingModel: "PMP", type: "regular", category: "marketing"),
                conversation: ConversationInfo(id: "c", originType: "marketing"))
        ])
        let nbp = fold([
            status(
                .sent, at: 1_632_479_972, pricing: PricingInfo(billable: false, pricingModel: "NBP"),
                conversation: ConversationInfo(id: "c"))
        ])
        let unpricedCBPEra = fold([status(.read, at: 1_700_000_000, conversation: ConversationInfo(id: "c"))])
        #expect(PricingRules.countsConversation(cbp))
        #expect(!PricingRules.countsConversation(pmp))
        #expect(!PricingRules.countsConversation(nbp))
        #expect(PricingRules.countsConversation(unpricedCBPEra))
    }

    @Test("free entry point: referral_conversion or billable false")
    func freeEntryPoint() {
        let referral = fold([
            status(
                .sent, at: 1,
                pricing: PricingInfo(billable: false, pricingModel: "CBP", category: "referral_conversion"),
                conversation: ConversationInfo(id: "c", originType: "referral_conversion"))
        ])
        let billableFalse = fold([
            status(.sent, at: 1, pricing: PricingInfo(billable: false, pricingModel: "CBP", category: "service"))
        ])
        let paid = fold([
            status(.sent, at: 1, pricing: PricingInfo(billable: true, pricingModel: "CBP", category: "service"))
        ])
        #expect(PricingRules.isFreeEntryPoint(referral))
        #expect(PricingRules.isFreeEntryPoint(billableFalse))
        #expect(!PricingRules.isFreeEntryPoint(paid))
    }

    @Test("a conversation is pre-opened at the first send and starts at the first delivery")
    func conversationLifecycle() throws {
        let conversation = ConversationInfo(id: "c", originType: "marketing")
        let pricing = PricingInfo(billable: true, pricingModel: "CBP", category: "marketing")
        let first = try #require(
            ConversationRecord(
                message: fold([status(.sent, at: 100, id: "m1", pricing: pricing, conversation: conversation)])))
        #expect(first.firstSentAt == 100)
        #expect(first.firstDeliveredAt == nil)
        #expect(!first.isBillable)
        let second = try #require(
            ConversationRecord(
                message: fold([
                    status(.sent, at: 150, id: "m2", pricing: pricing, conversation: conversation),
                    status(.read, at: 400, id: "m2"),
                ])))
        let third = try #require(
            ConversationRecord(
                message: fold([
                    status(.sent, at: 100, id: "m1", pricing: pricing, conversation: conversation),
                    status(.delivered, at: 500, id: "m1"),
                ])))
        let merged = first.join(second).join(third)
        #expect(merged == third.join(first).join(second))
        #expect(merged.firstSentAt == 100)
        #expect(merged.firstDeliveredAt == 400)
        #expect(merged.isBillable)
        #expect(merged.category == "marketing")
    }
}

@Suite("Pricing eras")
struct PricingEraTests {
    @Test(
        "each era's day, month and UTC start agree with the reference's dates",
        arguments: [
            (PricingEra.conversationPricing, "2022-02", Int64(1_643_673_600)),
            (PricingEra.conversationCategories, "2023-06", 1_685_577_600),
            (PricingEra.freeService, "2024-11", 1_730_419_200),
            (PricingEra.perMessagePricing, "2025-07", 1_751_328_000),
            (PricingEra.serviceFreeTier, "2026-10", 1_790_812_800),
        ])
    func eraStarts(era: EraStart, month: String, utc: Int64) {
        #expect(era.month == YearMonth(month))
        #expect(era.day == YearMonth(month)!.firstDay)
        #expect(era.utc == utc)
        #expect(BillingCalendar.utc.day(of: era.utc) == era.day)
        #expect(BillingCalendar.utc.day(of: era.utc - 1) < era.day)
    }
}
