import WhatsAppWebhook

/// A message the business sent from outside the Cloud API (the WhatsApp Business app on a
/// coexistence number, or Meta's Business Agent), as the ledger keeps it: one per (account, message
/// id), counted as sent by the app or the agent, and never charged, nor counted in any free tier,
/// window or volume tier (reference §7.12).
public struct EchoRecord: Sendable, Equatable {
    public var account: String
    public var messageId: String
    public var phoneNumberId: String?
    public var to: String?
    public var toCountryCode: String?
    public var sentAt: Int64
    public var type: String?
    public var sender: EchoSender

    public init(
        account: String, messageId: String, phoneNumberId: String?, to: String?, toCountryCode: String?, sentAt: Int64,
        type: String?, sender: EchoSender
    ) {
        self.account = account
        self.messageId = messageId
        self.phoneNumberId = phoneNumberId
        self.to = to
        self.toCountryCode = toCountryCode
        self.sentAt = sentAt
        self.type = type
        self.sender = sender
    }

    public init(account: String, event: EchoEvent) {
        self.init(
            account: account, messageId: event.messageId, phoneNumberId: event.phoneNumberId, to: event.to,
            toCountryCode: event.toCountryCode, sentAt: event.timestamp, type: event.type, sender: event.sender)
    }

    public func join(_ other: EchoRecord) -> EchoRecord {
        var merged = self
        merged.phoneNumberId = minSeen(phoneNumberId, other.phoneNumberId)
        merged.to = minSeen(to, other.to)
        merged.toCountryCode = minSeen(toCountryCode, other.toCountryCode)
        merged.sentAt = min(sentAt, other.sentAt)
        merged.type = minSeen(type, other.type)
        merged.sender = min(sender, other.sender)
        return merged
    }
}

extension EchoRecord: LedgerRecord {
    public func contributions(days: DayKeyCache) -> [RollupKey] {
        [
            RollupKey(
                day: days.day(of: sentAt), metric: sender == .app ? .messageAppSent : .messageAgentSent, category: "",
                country: RecipientCountry.of(number: to, countryCode: toCountryCode), phone: phoneNumberId ?? "",
                halfHour: RollupKey.halfHour(of: sentAt))
        ]
    }
}
