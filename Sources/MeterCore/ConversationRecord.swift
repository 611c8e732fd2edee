import WhatsAppWebhook

/// The ledger's state for one conversation-based-pricing conversation, keyed by account +
/// conversation id. It is derived from the records of its messages and joined like them, so it is
/// order-free too: pre-opened at the first send, started (and charged) at the first delivery.
public struct ConversationRecord: Sendable, Equatable {
    public var account: String
    public var conversationId: String
    /// Earliest send of any of its messages: when the conversation was pre-opened.
    public var firstSentAt: Int64?
    /// Earliest delivery (or read) of any of its messages: when it started and is billed.
    public var firstDeliveredAt: Int64?
    public var category: String?
    public var categoryKey: Int64?
    public var recipientNumber: String?
    public var recipientCountryCode: String?
    public var isFreeEntryPoint: Bool
    /// The business phone number the conversation is on.
    public var phoneNumberId: String?

    public init(account: String, conversationId: String) {
        self.account = account
        self.conversationId = conversationId
        isFreeEntryPoint = false
    }

    /// What one message contributes to its conversation, or `nil` when it belongs to none.
    public init?(message: MessageRecord) {
        guard PricingRules.countsConversation(message), let id = message.conversationId else { return nil }
        self.init(account: message.account, conversationId: id)
        firstSentAt = message.effectiveSentAt
        firstDeliveredAt = message.deliveredAt
        if let category = message.pricing?.category ?? message.conversationOrigin {
            self.category = category
            categoryKey = message.pricing?.category != nil ? message.pricingKey : message.conversationKey
        }
        recipientNumber = message.recipientNumber
        recipientCountryCode = message.recipientCountryCode
        isFreeEntryPoint = PricingRules.isFreeEntryPoint(message)
        phoneNumberId = message.phoneNumberId
    }

    public func join(_ other: ConversationRecord) -> ConversationRecord {
        var merged = self
        merged.firstSentAt = minSeen(firstSentAt, other.firstSentAt)
        merged.firstDeliveredAt = minSeen(firstDeliveredAt, other.firstDeliveredAt)
        if let otherKey = other.categoryKey,
            categoryKey == nil || otherKey < categoryKey! || (otherKey == categoryKey! && other.category! < category!)
        {
            merged.category = other.category
            merged.categoryKey = otherKey
        }
        merged.recipientNumber = minSeen(recipientNumber, other.recipientNumber)
        merged.recipientCountryCode = minSeen(recipientCountryCode, other.recipientCountryCode)
        merged.isFreeEntryPoint = isFreeEntryPoint || other.isFreeEntryPoint
        merged.phoneNumberId = minSeen(phoneNumberId, other.phoneNumberId)
        return merged
    }

    /// Delivered and not a free entry point: charged unless the month's free tier covers it.
    public var isBillable: Bool { firstDeliveredAt != nil && !isFreeEntryPoint }
}

/// One message a WhatsApp user sent to the business; never charged, deduplicated by wamid.
public struct InboundRecord: Sendable, Equatable {
    public var account: String
    public var messageId: String
    public var phoneNumberId: String?
    public var from: String?
    public var fromCountryCode: String?
    public var receivedAt: Int64
    public var type: String?
    public var hasReferral: Bool

    public init(account: String, event: InboundMessageEvent) {
        self.account = account
        messageId = event.messageId
        phoneNumberId = event.phoneNumberId
        from = event.from
        fromCountryCode = event.fromCountryCode
        receivedAt = event.timestamp
        type = event.type
        hasReferral = event.hasReferral
    }

    public init(
        account: String, messageId: String, phoneNumberId: String?, from: String?, fromCountryCode: String?,
        receivedAt: Int64, type: String?, hasReferral: Bool
    ) {
        self.account = account
        self.messageId = messageId
        self.phoneNumberId = phoneNumberId
        self.from = from
        self.fromCountryCode = fromCountryCode
        self.receivedAt = receivedAt
        self.type = type
        self.hasReferral = hasReferral
    }

    public func join(_ other: InboundRecord) -> InboundRecord {
        var merged = self
        merged.phoneNumberId = minSeen(phoneNumberId, other.phoneNumberId)
        merged.from = minSeen(from, other.from)
        merged.fromCountryCode = minSeen(fromCountryCode, other.fromCountryCode)
        merged.receivedAt = min(receivedAt, other.receivedAt)
        merged.type = minSeen(type, other.type)
        merged.hasReferral = hasReferral || other.hasReferral
        return merged
    }
}
