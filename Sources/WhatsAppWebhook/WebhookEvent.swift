import Foundation

/// One normalised fact taken from a webhook body. A body yields any number of these, in body order.
public enum WebhookEvent: Sendable, Equatable {
    /// A status update for a message the business sent.
    case status(StatusEvent)
    /// A message a WhatsApp user sent to the business.
    case inbound(InboundMessageEvent)
    /// A system or account error at `value` level, not tied to one message (reference §13.25).
    case systemError(SystemErrorEvent)
    /// An `account_update` change (tier updates, eligibility, location); kept for later use.
    case accountUpdate(AccountUpdateEvent)
    /// A change whose `field` wameter does not interpret (yet). The body is archived regardless.
    case unhandledChange(account: String, field: String)
    /// A business phone number's display number, from a `messages` change's `metadata`.
    case phoneNumber(PhoneNumberEvent)
    /// An event of a voice call (`calls` field, `calls[]`).
    case call(CallEvent)
    /// A call's status (`calls` field, `statuses[]`), never a message's.
    case callStatus(CallStatusEvent)
    /// A message sent from the WhatsApp Business app or by Meta's Business Agent, echoed.
    case echo(EchoEvent)
}

/// What a `messages` change's `metadata` says of the business phone number it is about: its id and
/// the number as people read it (`display_phone_number`), as Meta's analytics name phone numbers.
public struct PhoneNumberEvent: Sendable, Equatable {
    public var account: String
    public var phoneNumberId: String
    public var displayNumber: String

    public init(account: String, phoneNumberId: String, displayNumber: String) {
        self.account = account
        self.phoneNumberId = phoneNumberId
        self.displayNumber = displayNumber
    }
}

/// A message status as Meta reports it. Unknown values are kept verbatim rather than rejected.
public enum MessageStatus: Sendable, Hashable {
    case sent, delivered, read, played, failed, deleted, warning
    case unknown(String)

    public init(rawValue: String) {
        switch rawValue.lowercased() {
        case "sent": self = .sent
        case "delivered": self = .delivered
        case "read": self = .read
        case "played": self = .played
        case "failed": self = .failed
        case "deleted": self = .deleted
        case "warning": self = .warning
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .sent: "sent"
        case .delivered: "delivered"
        case .read: "read"
        case .played: "played"
        case .failed: "failed"
        case .deleted: "deleted"
        case .warning: "warning"
        case .unknown(let raw): raw
        }
    }

    /// `read` and `played` can only happen on a device, so they confirm delivery (reference §3.2).
    public var confirmsDelivery: Bool {
        switch self {
        case .delivered, .read, .played: true
        default: false
        }
    }
}

public struct StatusEvent: Sendable, Equatable {
    /// The WABA (`entry[].id`); `nil` for On-Premises bodies, which carry no envelope.
    public var account: String?
    public var phoneNumberId: String?
    public var messageId: String
    public var status: MessageStatus
    public var timestamp: Int64
    /// Phone number (digits) or group id; `nil` when Meta sends `""` (business-scoped user ids).
    public var recipientId: String?
    public var recipientType: String?
    public var recipientParticipantId: String?
    public var recipientUserId: String?
    /// ISO 3166 alpha-2 from `contacts[].profile.country_code` of the same `value`, when present.
    public var recipientCountryCode: String?
    public var callbackData: String?
    public var conversation: ConversationInfo?
    public var pricing: PricingInfo?
    public var errorCode: Int?

    public init(
        account: String?, phoneNumberId: String? = nil, messageId: String, status: MessageStatus,
        timestamp: Int64, recipientId: String? = nil, recipientType: String? = nil,
        recipientParticipantId: String? = nil, recipientUserId: String? = nil,
        recipientCountryCode: String? = nil, callbackData: String? = nil,
        conversation: ConversationInfo? = nil, pricing: PricingInfo? = nil, errorCode: Int? = nil
    ) {
        self.account = account
        self.phoneNumberId = phoneNumberId
        self.messageId = messageId
        self.status = status
        self.timestamp = timestamp
        self.recipientId = recipientId
        self.recipientType = recipientType
        self.recipientParticipantId = recipientParticipantId
        self.recipientUserId = recipientUserId
        self.recipientCountryCode = recipientCountryCode
        self.callbackData = callbackData
        self.conversation = conversation
        self.pricing = pricing
        self.errorCode = errorCode
    }
}

public struct ConversationInfo: Sendable, Equatable {
    public var id: String?
    public var expirationTimestamp: Int64?
    /// Normalised like pricing categories (`origin.type`).
    public var originType: String?

    public init(id: String?, expirationTimestamp: Int64? = nil, originType: String? = nil) {
        self.id = id
        self.expirationTimestamp = expirationTimestamp
        self.originType = originType.map(PricingCategory.normalize)
    }
}

public struct PricingInfo: Sendable, Hashable {
    public var billable: Bool?
    /// `CBP`, `PMP`, `NBP` or whatever Meta sends next, upper-cased.
    public var pricingModel: String?
    /// PMP only: `regular`, `free_customer_service`, `free_entry_point`, ….
    public var type: String?
    /// Normalised (see `PricingCategory.normalize`).
    public var category: String?
    public var subtype: String?
    /// `pricing.cost` (max-price marketing messages): exact decimal as written in the body.
    public var costAmount: Decimal?
    public var costCurrency: String?

    public init(
        billable: Bool? = nil, pricingModel: String? = nil, type: String? = nil, category: String? = nil,
        subtype: String? = nil, costAmount: Decimal? = nil, costCurrency: String? = nil
    ) {
        self.billable = billable
        self.pricingModel = pricingModel?.uppercased()
        self.type = type?.lowercased()
        self.category = category.map(PricingCategory.normalize)
        self.subtype = subtype
        self.costAmount = costAmount
        self.costCurrency = costCurrency
    }
}

public struct InboundMessageEvent: Sendable, Equatable {
    public var account: String?
    public var phoneNumberId: String?
    public var messageId: String
    public var from: String?
    public var fromUserId: String?
    public var fromCountryCode: String?
    public var timestamp: Int64
    public var type: String?
    /// Came through a Click-to-WhatsApp ad or Page call-to-action (a free entry point candidate).
    public var hasReferral: Bool

    public init(
        account: String?, phoneNumberId: String? = nil, messageId: String, from: String?,
        fromUserId: String? = nil, fromCountryCode: String? = nil, timestamp: Int64, type: String? = nil,
        hasReferral: Bool = false
    ) {
        self.account = account
        self.phoneNumberId = phoneNumberId
        self.messageId = messageId
        self.from = from
        self.fromUserId = fromUserId
        self.fromCountryCode = fromCountryCode
        self.timestamp = timestamp
        self.type = type
        self.hasReferral = hasReferral
    }
}

public struct SystemErrorEvent: Sendable, Equatable {
    public var account: String?
    public var phoneNumberId: String?
    public var code: Int?
    public var title: String?
}

public struct AccountUpdateEvent: Sendable, Equatable {
    public var account: String
    public var event: String?
    public var time: Int64?
    public var volumeTier: VolumeTierInfo?

    public init(account: String, event: String?, time: Int64?, volumeTier: VolumeTierInfo?) {
        self.account = account
        self.event = event
        self.time = time
        self.volumeTier = volumeTier
    }
}

public struct VolumeTierInfo: Sendable, Equatable {
    public var tierUpdateTime: Int64?
    public var pricingCategory: String?
    public var tier: String?
    public var effectiveMonth: String?
    public var region: String?

    public init(
        tierUpdateTime: Int64?, pricingCategory: String?, tier: String?, effectiveMonth: String?, region: String?
    ) {
        self.tierUpdateTime = tierUpdateTime
        self.pricingCategory = pricingCategory
        self.tier = tier
        self.effectiveMonth = effectiveMonth
        self.region = region
    }
}

/// Who sent a message that reached the user without the Cloud API sending it.
public enum EchoSender: String, Sendable, Hashable, Comparable {
    /// Typed in the WhatsApp Business app on a coexistence number (`smb_message_echoes`).
    case app
    /// Sent by Meta's Business Agent while it handles the conversation (echoes on `standby`).
    case agent

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A message the business sent from outside the Cloud API, echoed to the app (reference §7.12):
/// free, outside every window, free tier and volume tier, but part of what the business sent.
public struct EchoEvent: Sendable, Equatable {
    public var account: String
    public var phoneNumberId: String?
    public var messageId: String
    /// The user it was sent to.
    public var to: String?
    /// The user's country from `contacts[].profile.country_code`.
    public var toCountryCode: String?
    public var timestamp: Int64
    public var type: String?
    public var sender: EchoSender

    public init(
        account: String, phoneNumberId: String?, messageId: String, to: String?, toCountryCode: String? = nil,
        timestamp: Int64, type: String?, sender: EchoSender
    ) {
        self.account = account
        self.phoneNumberId = phoneNumberId
        self.messageId = messageId
        self.to = to
        self.toCountryCode = toCountryCode
        self.timestamp = timestamp
        self.type = type
        self.sender = sender
    }
}
