import Foundation
import WhatsAppWebhook

/// How Meta priced a message, from the webhook's `pricing_model` (reference §3.4).
public enum PricingModel: Sendable, Equatable {
    /// Notification-based pricing (before 2022-02): template notifications charged per message.
    case nbp
    /// Conversation-based pricing (2022-02 to 2025-06): the conversation is the charged unit.
    case cbp
    /// Per-message pricing (from 2025-07): each delivered message with `type: regular` is charged.
    case pmp
    /// A model wameter does not know; treated per message, by `type`/`billable`.
    case other(String)
    /// No pricing seen on any status of the message and no date to infer it from.
    case unknown
}

/// The billing rules, one small rule set per era. Pure: no I/O, no clock, no database.
public enum PricingRules {
    /// Messages not delivered within 30 days are dropped (seed: tracking conversations).
    public static let dropAfterSeconds: Int64 = 30 * 86_400
    /// Size of the monthly conversation free tier (2022-02 to 2024-10).
    public static let freeTierSize = 1_000

    /// The pricing model of a message: as the webhook states it, or, when no status of the message
    /// carried pricing, by the era its first status falls in.
    public static func model(of message: MessageRecord) -> PricingModel {
        if let model = message.pricing?.pricingModel {
            switch model {
            case "CBP": return .cbp
            case "PMP": return .pmp
            case "NBP": return .nbp
            default: return .other(model)
            }
        }
        if message.pricing?.type != nil { return .pmp }
        guard let at = message.effectiveSentAt ?? message.failedAt else { return .unknown }
        if at < PricingEra.conversationPricing.utc { return .nbp }
        return at < PricingEra.perMessagePricing.utc ? .cbp : .pmp
    }

    /// Whether the message itself is a charged unit. Only delivered messages are ever charged;
    /// conversation-priced messages never are (their conversation is); per-message pricing charges
    /// `type: regular`, or `billable: true` where the webhook has no `type` (reference §3.4, §10).
    public static func isChargedMessage(_ message: MessageRecord) -> Bool {
        guard message.deliveredAt != nil, let pricing = message.pricing else { return false }
        switch model(of: message) {
        case .cbp, .unknown:
            return false
        case .nbp:
            return pricing.billable == true
        case .pmp, .other:
            if let type = pricing.type { return type == "regular" }
            return pricing.billable == true
        }
    }

    /// Why a delivered per-message-priced message is free, as its webhook said (`pricing.type`;
    /// reference §4): `nil` for charged messages, for those priced by their conversation (CBP) and
    /// for those whose webhook said nothing.
    public static func freeMessageType(_ message: MessageRecord) -> FreeMessageType? {
        guard message.deliveredAt != nil, let pricing = message.pricing, !isChargedMessage(message) else { return nil }
        switch model(of: message) {
        case .cbp, .unknown, .nbp:
            return nil
        case .pmp, .other:
            switch pricing.type {
            case "free_entry_point": return .freeEntryPoint
            case "free_customer_service", "free_group_customer_service": return .freeCustomerService
            case nil where pricing.category == PricingCategory.referralConversion: return .freeEntryPoint
            default: return nil
            }
        }
    }

    /// Whether the message belongs to a conversation that is a billing unit. Conversation ids in
    /// per-message-pricing webhooks identify messages or free-entry-point windows, not conversations
    /// (reference §3.3, §13.7).
    public static func countsConversation(_ message: MessageRecord) -> Bool {
        message.conversationId != nil && model(of: message) == .cbp
    }

    /// A free entry point conversation: `referral_conversion`, or `billable: false` under CBP.
    public static func isFreeEntryPoint(_ message: MessageRecord) -> Bool {
        message.pricing?.category == PricingCategory.referralConversion
            || message.conversationOrigin == PricingCategory.referralConversion
            || message.pricing?.billable == false
    }

    /// The free tier that applies to conversations first delivered in a billing month.
    public static func conversationFreeTier(for month: YearMonth) -> ConversationFreeTier {
        if month < PricingEra.conversationPricing.month { return .none }
        if month < PricingEra.conversationCategories.month { return .first(freeTierSize, serviceOnly: false) }
        if month < PricingEra.freeService.month { return .first(freeTierSize, serviceOnly: true) }
        return .allService
    }
}

/// Which delivered, non-free-entry-point conversations of a month Meta does not charge.
public enum ConversationFreeTier: Sendable, Equatable {
    case none
    /// The first `n` conversations of the month in order of first delivery (of any category, or of
    /// `service` only), per account, reset at midnight of the 1st in the account's time zone.
    case first(Int, serviceOnly: Bool)
    /// Every `service` conversation is free (from 2024-11-01).
    case allService
}

/// Why a per-message-priced message was delivered free (Meta's `pricing_type` other than `REGULAR`).
public enum FreeMessageType: Sendable, Hashable {
    /// In a free entry point window.
    case freeEntryPoint
    /// Customer service: inside a customer service window (to 2026-09-30), or inside the phone
    /// number's monthly free tier of service messages (from 2026-10-01); group deliveries included.
    case freeCustomerService
}
