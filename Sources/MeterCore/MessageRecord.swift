import Foundation
import WhatsAppWebhook

/// The ledger's state for one message the business sent, keyed by account + wamid.
///
/// Built by folding status events with `join`, which is commutative, associative and idempotent:
/// any permutation of any multiset of the same statuses gives the same record, so duplicates and
/// out-of-order delivery (reference §13.2–13.4) cannot change the ledger, and statuses never regress.
public struct MessageRecord: Sendable, Equatable {
    public var account: String
    public var messageId: String
    public var phoneNumberId: String?
    public var recipientId: String?
    public var recipientParticipantId: String?
    public var recipientUserId: String?
    public var recipientCountryCode: String?
    public var isGroup: Bool
    public var callbackData: String?
    /// Earliest `sent` status.
    public var sentAt: Int64?
    /// Earliest delivery-confirming status: `delivered`, `read` or `played` (read implies delivered).
    public var deliveredAt: Int64?
    /// Earliest `read` or `played`.
    public var readAt: Int64?
    /// Earliest `failed`.
    public var failedAt: Int64?
    public var errorCode: Int?
    /// Pricing from the best status that carries it (see `PriorityKey`), without `cost`.
    public var pricing: PricingInfo?
    public var pricingKey: Int64?
    /// `pricing.cost` (max price), from the earliest status that carries it.
    public var costAmount: Decimal?
    public var costCurrency: String?
    public var costAt: Int64?
    public var conversationId: String?
    public var conversationOrigin: String?
    public var conversationExpiresAt: Int64?
    public var conversationKey: Int64?

    public init(account: String, messageId: String) {
        self.account = account
        self.messageId = messageId
        isGroup = false
    }

    /// The ledger key of a status: its wamid, or for a delivery to one member of a group, the wamid
    /// and that member. Meta charges a group message once per member it reaches, at that member's
    /// rate (reference §7.7), so each member's delivery is a record of its own.
    public static func ledgerKey(of event: StatusEvent) -> String {
        guard let participant = event.recipientParticipantId, !participant.isEmpty else { return event.messageId }
        return event.messageId + "/" + participant
    }

    /// The record a single status event makes on its own.
    public init(account: String, event: StatusEvent) {
        self.init(account: account, messageId: Self.ledgerKey(of: event))
        phoneNumberId = event.phoneNumberId
        isGroup = event.recipientType == "group"
        recipientId = event.recipientId
        recipientParticipantId = event.recipientParticipantId.flatMap { $0.isEmpty ? nil : $0 }
        recipientUserId = event.recipientUserId
        recipientCountryCode = event.recipientCountryCode
        callbackData = event.callbackData
        let rank: PriorityKey.StatusRank
        switch event.status {
        case .sent:
            sentAt = event.timestamp
            rank = .sent
        case .delivered:
            deliveredAt = event.timestamp
            rank = .deliveryConfirmed
        case .read, .played:
            deliveredAt = event.timestamp
            readAt = event.timestamp
            rank = .deliveryConfirmed
        case .failed:
            failedAt = event.timestamp
            errorCode = event.errorCode
            rank = .other
        case .deleted, .warning, .unknown:
            rank = .other
        }
        let key = PriorityKey.make(rank: rank, timestamp: event.timestamp)
        if var pricing = event.pricing {
            if let amount = pricing.costAmount {
                costAmount = amount
                costCurrency = pricing.costCurrency
                costAt = event.timestamp
            }
            pricing.costAmount = nil
            pricing.costCurrency = nil
            self.pricing = pricing
            pricingKey = key
        }
        if let conversation = event.conversation, conversation.id != nil || conversation.originType != nil {
            conversationId = conversation.id
            conversationOrigin = conversation.originType
            conversationExpiresAt = conversation.expirationTimestamp
            conversationKey = key
        }
    }

    /// The least upper bound of two records of the same message.
    public func join(_ other: MessageRecord) -> MessageRecord {
        var merged = self
        merged.phoneNumberId = minSeen(phoneNumberId, other.phoneNumberId)
        merged.recipientId = minSeen(recipientId, other.recipientId)
        merged.recipientParticipantId = minSeen(recipientParticipantId, other.recipientParticipantId)
        merged.recipientUserId = minSeen(recipientUserId, other.recipientUserId)
        merged.recipientCountryCode = minSeen(recipientCountryCode, other.recipientCountryCode)
        merged.isGroup = isGroup || other.isGroup
        merged.callbackData = minSeen(callbackData, other.callbackData)
        merged.sentAt = minSeen(sentAt, other.sentAt)
        merged.deliveredAt = minSeen(deliveredAt, other.deliveredAt)
        merged.readAt = minSeen(readAt, other.readAt)
        merged.failedAt = minSeen(failedAt, other.failedAt)
        merged.errorCode = Self.pick(errorCode, failedAt, other.errorCode, other.failedAt)

        if Self.prefers(other.pricingKey, other.pricing?.sortKey, over: pricingKey, pricing?.sortKey) {
            merged.pricing = other.pricing
            merged.pricingKey = other.pricingKey
        }
        if Self.prefers(
            other.costAt, other.costAmount.map { "\($0)|\(other.costCurrency ?? "")" },
            over: costAt, costAmount.map { "\($0)|\(costCurrency ?? "")" })
        {
            merged.costAmount = other.costAmount
            merged.costCurrency = other.costCurrency
            merged.costAt = other.costAt
        }
        if Self.prefers(other.conversationKey, other.conversationSortKey, over: conversationKey, conversationSortKey) {
            merged.conversationId = other.conversationId
            merged.conversationOrigin = other.conversationOrigin
            merged.conversationExpiresAt = other.conversationExpiresAt
            merged.conversationKey = other.conversationKey
        }
        return merged
    }

    /// Picks the error code of the earliest failure; equal times keep the smaller code.
    private static func pick(_ code: Int?, _ at: Int64?, _ otherCode: Int?, _ otherAt: Int64?) -> Int? {
        guard let otherAt else { return code }
        guard let at else { return otherCode }
        if otherAt != at { return otherAt < at ? otherCode : code }
        return minSeen(code, otherCode)
    }

    /// Lower key wins; equal keys fall back to the smaller value so the choice is order-free.
    private static func prefers(
        _ key: Int64?, _ value: String?, over currentKey: Int64?, _ currentValue: String?
    ) -> Bool {
        guard let key else { return false }
        guard let currentKey else { return true }
        if key != currentKey { return key < currentKey }
        return (value ?? "") < (currentValue ?? "")
    }

    private var conversationSortKey: String? {
        guard conversationKey != nil else { return nil }
        return "\(conversationId ?? "")|\(conversationOrigin ?? "")|\(conversationExpiresAt ?? -1)"
    }

    // MARK: - Groups

    /// What a status to one member of a group says about the group message itself: it had been
    /// sent by then. Joined into the group's own record (earliest time wins), so a group message is
    /// counted as sent once, from its own `sent` status when that came, else from its first member
    /// status; never once per member, and never not at all. `nil` for anything but a member's
    /// delivered or read status.
    public var impliedGroupSend: MessageRecord? {
        guard let participant = recipientParticipantId, let at = effectiveSentAt,
            messageId.hasSuffix("/" + participant)
        else { return nil }
        var group = MessageRecord(account: account, messageId: String(messageId.dropLast(participant.count + 1)))
        group.isGroup = true
        group.phoneNumberId = phoneNumberId
        group.recipientId = recipientId
        group.sentAt = at
        // The member's pricing names the group's category; ranked as a `sent` status at the member's
        // time, so the group's own pricing, when it has any, is preferred.
        if let pricing {
            group.pricing = pricing
            group.pricingKey = PriorityKey.make(rank: .sent, timestamp: at)
        }
        return group
    }

    // MARK: - Derived facts

    /// When the message counts as sent: its `sent` status, or its delivery when `sent` never came.
    public var effectiveSentAt: Int64? { sentAt ?? deliveredAt }

    /// The best status reached; never regresses because every input only moves it up.
    public var bestStatus: MessageStatus? {
        if readAt != nil { return .read }
        if deliveredAt != nil { return .delivered }
        if failedAt != nil { return .failed }
        if sentAt != nil { return .sent }
        return nil
    }

    /// Pricing category, else the conversation origin, else `unknown`.
    public var category: String {
        pricing?.category ?? conversationOrigin ?? "unknown"
    }

    /// Where the market comes from: the group participant, the recipient number, or failing a number
    /// the contact's country (business-scoped user ids, reference §13.12).
    public var recipientNumber: String? {
        if let participant = recipientParticipantId { return participant }
        if isGroup { return nil }
        return recipientId
    }

    /// The ISO country the message is rated by (see `RecipientCountry`).
    public var recipientCountry: String {
        RecipientCountry.of(number: recipientNumber, countryCode: recipientCountryCode)
    }
}

extension PricingInfo {
    /// A total order over pricing values, used only to break ties deterministically.
    var sortKey: String {
        "\(pricingModel ?? "")|\(type ?? "")|\(category ?? "")|\(billable.map { $0 ? "1" : "0" } ?? "")|\(subtype ?? "")"
    }
}
