import Foundation

/// Builds Cloud API webhook bodies shaped as Meta sends them (reference §3, §11): for tests, examples
/// and traffic generation. Strings are escaped the way Meta escapes them (non-ASCII as `\uXXXX`), so a
/// signature computed over the output matches what Meta would send.
public struct WebhookBodyBuilder: Sendable {
    public struct Status: Sendable {
        public var messageId: String
        public var status: String
        public var timestamp: Int64
        public var recipientId: String
        public var pricing: Pricing?
        public var conversation: Conversation?
        public var callbackData: String?
        public var errorCode: Int?
        public var errorTitle: String?
        /// `group` for Groups API messages (then `recipientId` is the group id).
        public var recipientType: String?
        /// The group member a group delivery reached.
        public var recipientParticipantId: String?
        /// A business-scoped user id, for recipients without a phone number (`recipientId` is `""`).
        public var recipientUserId: String?

        public init(
            messageId: String, status: String, timestamp: Int64, recipientId: String, pricing: Pricing? = nil,
            conversation: Conversation? = nil, callbackData: String? = nil, errorCode: Int? = nil,
            errorTitle: String? = nil, recipientType: String? = nil, recipientParticipantId: String? = nil,
            recipientUserId: String? = nil
        ) {
            self.messageId = messageId
            self.status = status
            self.timestamp = timestamp
            self.recipientId = recipientId
            self.pricing = pricing
            self.conversation = conversation
            self.callbackData = callbackData
            self.errorCode = errorCode
            self.errorTitle = errorTitle
            self.recipientType = recipientType
            self.recipientParticipantId = recipientParticipantId
            self.recipientUserId = recipientUserId
        }
    }

    public struct Pricing: Sendable {
        public var model: String
        public var category: String
        public var billable: Bool
        public var type: String?
        /// `pricing.cost` (max price): the amount as a JSON number literal, and its currency.
        public var cost: (amount: String, currency: String)?

        public init(
            model: String, category: String, billable: Bool = true, type: String? = nil,
            cost: (amount: String, currency: String)? = nil
        ) {
            self.model = model
            self.category = category
            self.billable = billable
            self.type = type
            self.cost = cost
        }
    }

    /// A `contacts[]` item on a status change: the recipient's profile country, which Meta adds for
    /// business-scoped user ids (reference §3.6).
    public struct Contact: Sendable {
        public var waId: String
        public var userId: String?
        public var countryCode: String?

        public init(waId: String, userId: String? = nil, countryCode: String? = nil) {
            self.waId = waId
            self.userId = userId
            self.countryCode = countryCode
        }
    }

    public struct Conversation: Sendable {
        public var id: String
        public var originType: String
        public var expiresAt: Int64?

        public init(id: String, originType: String, expiresAt: Int64? = nil) {
            self.id = id
            self.originType = originType
            self.expiresAt = expiresAt
        }
    }

    public struct Inbound: Sendable {
        public var messageId: String
        public var from: String
        public var timestamp: Int64
        public var text: String
        /// A Click-to-WhatsApp ad referral: the ad's `source_id` and click id.
        public var referral: (sourceId: String, clickId: String)?

        public init(
            messageId: String, from: String, timestamp: Int64, text: String,
            referral: (sourceId: String, clickId: String)? = nil
        ) {
            self.messageId = messageId
            self.from = from
            self.timestamp = timestamp
            self.text = text
            self.referral = referral
        }
    }

    /// One `changes[]` item of field `messages` for one business phone number.
    public struct Change: Sendable {
        public var phoneNumberId: String
        public var displayPhoneNumber: String
        public var statuses: [Status]
        public var inbound: [Inbound]
        /// Contacts for the statuses (inbound messages get theirs from `inbound`).
        public var contacts: [Contact]

        /// `displayPhoneNumber` defaults to one made from the id (`displayNumber(of:)`), so that two
        /// phone numbers never share a display number, as with Meta.
        public init(
            phoneNumberId: String, displayPhoneNumber: String? = nil, statuses: [Status] = [],
            inbound: [Inbound] = [], contacts: [Contact] = []
        ) {
            self.phoneNumberId = phoneNumberId
            self.displayPhoneNumber = displayPhoneNumber ?? WebhookBodyBuilder.displayNumber(of: phoneNumberId)
            self.statuses = statuses
            self.inbound = inbound
            self.contacts = contacts
        }
    }

    public init() {}

    /// A body with one entry per account, in the order given.
    public func body(_ entries: [(account: String, changes: [Change])]) -> Data {
        var out = #"{"object":"whatsapp_business_account","entry":["#
        for (entryIndex, entry) in entries.enumerated() {
            if entryIndex > 0 { out += "," }
            out += #"{"id":"# + quote(entry.account) + #","changes":["#
            for (changeIndex, change) in entry.changes.enumerated() {
                if changeIndex > 0 { out += "," }
                out +=
                    #"{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"#
                out += quote(change.displayPhoneNumber) + #","phone_number_id":"# + quote(change.phoneNumberId) + "}"
                let contacts =
                    change.contacts.map(contact)
                    + change.inbound.map { #"{"profile":{"name":"User"},"wa_id":"# + quote($0.from) + "}" }
                if !contacts.isEmpty { out += #","contacts":["# + contacts.joined(separator: ",") + "]" }
                if !change.statuses.isEmpty {
                    out += #","statuses":["# + change.statuses.map(status).joined(separator: ",") + "]"
                }
                if !change.inbound.isEmpty {
                    out += #","messages":["# + change.inbound.map(inbound).joined(separator: ",") + "]"
                }
                out += "}}"
            }
            out += "]}"
        }
        out += "]}"
        return Data(out.utf8)
    }

    /// A US test number made from a phone number id: `1555` and the id's last seven digits (zeros
    /// first when it has fewer), e.g. `15552242922` for `106540352242922`.
    public static func displayNumber(of phoneNumberId: String) -> String {
        let digits = phoneNumberId.filter(\.isASCII).filter(\.isNumber).suffix(7)
        return "1555" + String(repeating: "0", count: 7 - digits.count) + digits
    }

    /// A body with a single status for one account and phone number.
    public func body(account: String, phoneNumberId: String = "106540352242922", status: Status) -> Data {
        body([(account, [Change(phoneNumberId: phoneNumberId, statuses: [status])])])
    }

    /// Meta's volume-tier change webhook (field `account_update`, reference §11.15).
    public func tierUpdateBody(
        account: String, time: Int64, pricingCategory: String, tier: String, effectiveMonth: String, region: String
    ) -> Data {
        var out = #"{"object":"whatsapp_business_account","entry":[{"id":"# + quote(account)
        out += #","time":"# + String(time) + #","changes":[{"value":{"volume_tier_info":{"tier_update_time":"#
        out += String(time) + #","pricing_category":"# + quote(pricingCategory) + #","tier":"# + quote(tier)
        out += #","effective_month":"# + quote(effectiveMonth) + #","region":"# + quote(region)
        out += #"},"event":"VOLUME_BASED_PRICING_TIER_UPDATE"},"field":"account_update"}]}]}"#
        return Data(out.utf8)
    }

    /// A call event, as a `calls` change carries it (reference §7.11).
    public struct Call: Sendable {
        public var id: String
        public var event: String
        public var timestamp: Int64
        public var direction: String
        public var from: String
        public var to: String
        /// Terminate only: `COMPLETED` or `FAILED`, and for a call that was picked up its times and
        /// duration.
        public var status: String?
        public var answered: (start: Int64, end: Int64, duration: Int)?

        public init(
            id: String, event: String, timestamp: Int64, direction: String, from: String, to: String,
            status: String? = nil, answered: (start: Int64, end: Int64, duration: Int)? = nil
        ) {
            self.id = id
            self.event = event
            self.timestamp = timestamp
            self.direction = direction
            self.from = from
            self.to = to
            self.status = status
            self.answered = answered
        }
    }

    /// A `calls` change with one call event.
    public func callBody(account: String, phoneNumberId: String, call: Call) -> Data {
        var fields = [
            member("id", call.id), member("from", call.from), member("to", call.to), member("event", call.event),
            member("timestamp", String(call.timestamp)), member("direction", call.direction),
        ]
        if let status = call.status { fields.append(member("status", status)) }
        if let answered = call.answered {
            fields += [
                member("start_time", String(answered.start)), member("end_time", String(answered.end)),
                #""duration":"# + String(answered.duration),
            ]
        }
        if call.event == "connect" { fields.append(#""session":{"sdp":"v=0","sdp_type":"offer"}"#) }
        return change(
            account: account, phoneNumberId: phoneNumberId, field: "calls",
            #""calls":[{"# + fields.joined(separator: ",") + "}]")
    }

    /// A `calls` change with one call status (`RINGING`, `ACCEPTED`, `REJECTED`).
    public func callStatusBody(
        account: String, phoneNumberId: String, callId: String, status: String, timestamp: Int64, recipientId: String
    ) -> Data {
        let fields = [
            member("id", callId), member("timestamp", String(timestamp)), member("type", "call"),
            member("status", status), member("recipient_id", recipientId),
        ]
        return change(
            account: account, phoneNumberId: phoneNumberId, field: "calls",
            #""statuses":[{"# + fields.joined(separator: ",") + "}]")
    }

    /// A message echoed from the WhatsApp Business app (`smb_message_echoes`) or, on `standby`, sent
    /// by Meta's Business Agent (reference §7.12).
    public func echoBody(
        account: String, phoneNumberId: String, field: String, messageId: String, to: String, timestamp: Int64
    ) -> Data {
        let fields = [
            member("from", Self.displayNumber(of: phoneNumberId)), member("to", to), member("id", messageId),
            member("timestamp", String(timestamp)), member("type", "text"), #""text":{"body":"Thanks, see you soon"}"#,
        ]
        return change(
            account: account, phoneNumberId: phoneNumberId, field: field,
            #""message_echoes":[{"# + fields.joined(separator: ",") + "}]")
    }

    /// `"name":"value"`, the value escaped.
    private func member(_ name: String, _ value: String) -> String {
        quote(name) + ":" + quote(value)
    }

    /// One change of `field` for one phone number, with `content` after the metadata.
    private func change(account: String, phoneNumberId: String, field: String, _ content: String) -> Data {
        var out = #"{"object":"whatsapp_business_account","entry":[{"# + member("id", account)
        out += #","changes":[{"# + member("field", field) + #","value":{"messaging_product":"whatsapp","metadata":{"#
        out += member("display_phone_number", Self.displayNumber(of: phoneNumberId)) + ","
        out += member("phone_number_id", phoneNumberId) + "}," + content + "}}]}]}"
        return Data(out.utf8)
    }

    /// A system error in a `messages` webhook: value-level `errors`, no statuses (reference §11.16).
    public func systemErrorBody(account: String, phoneNumberId: String, code: Int, title: String) -> Data {
        var out = #"{"object":"whatsapp_business_account","entry":[{"id":"# + quote(account)
        out += #","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"#
        out += #""display_phone_number":"# + quote(Self.displayNumber(of: phoneNumberId))
        out += #","phone_number_id":"# + quote(phoneNumberId) + "}"
        out += #","errors":[{"code":"# + String(code) + #","title":"# + quote(title) + #","message":"#
        out += quote(title) + #","error_data":{"details":"# + quote(title) + "}}]}}]}]}"
        return Data(out.utf8)
    }

    private func contact(_ contact: Contact) -> String {
        var out = #"{"profile":{"name":"User""#
        if let country = contact.countryCode { out += #","country_code":"# + quote(country) }
        out += #"},"wa_id":"# + quote(contact.waId)
        if let user = contact.userId { out += #","user_id":"# + quote(user) }
        return out + "}"
    }

    private func status(_ status: Status) -> String {
        var out = #"{"id":"# + quote(status.messageId) + #","status":"# + quote(status.status)
        out += #","timestamp":""# + String(status.timestamp) + #"","recipient_id":"# + quote(status.recipientId)
        if let type = status.recipientType { out += #","recipient_type":"# + quote(type) }
        if let member = status.recipientParticipantId { out += #","recipient_participant_id":"# + quote(member) }
        if let user = status.recipientUserId { out += #","recipient_user_id":"# + quote(user) }
        if let data = status.callbackData { out += #","biz_opaque_callback_data":"# + quote(data) }
        if let conversation = status.conversation {
            out += #","conversation":{"id":"# + quote(conversation.id)
            if let expires = conversation.expiresAt { out += #","expiration_timestamp":""# + String(expires) + "\"" }
            out += #","origin":{"type":"# + quote(conversation.originType) + "}}"
        }
        if let pricing = status.pricing {
            out += #","pricing":{"billable":"# + (pricing.billable ? "true" : "false")
            out += #","pricing_model":"# + quote(pricing.model)
            if let type = pricing.type { out += #","type":"# + quote(type) }
            out += #","category":"# + quote(pricing.category)
            if let cost = pricing.cost {
                out += #","cost":{"amount":"# + cost.amount + #","currency":"# + quote(cost.currency) + "}"
            }
            out += "}"
        }
        if let code = status.errorCode {
            let title = quote(status.errorTitle ?? "Message undeliverable")
            out += #","errors":[{"code":"# + String(code) + #","title":"# + title + #","message":"# + title + "}]"
        }
        return out + "}"
    }

    private func inbound(_ message: Inbound) -> String {
        var out = #"{"from":"# + quote(message.from) + #","id":"# + quote(message.messageId) + #","timestamp":""#
        out += String(message.timestamp) + #"","text":{"body":"# + quote(message.text) + #"},"type":"text""#
        if let referral = message.referral {
            out += #","referral":{"source_url":"https://fb.me/ad","source_id":"# + quote(referral.sourceId)
            out += #","source_type":"ad","body":"Ad","headline":"Chat with us","media_type":"image","#
            out += #""ctwa_clid":"# + quote(referral.clickId) + "}"
        }
        return out + "}"
    }

    /// A JSON string literal, with non-ASCII escaped as Meta escapes it.
    func quote(_ text: String) -> String {
        var out = "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(unit)!)
            default: out += String(format: "\\u%04x", unit)
            }
        }
        return out + "\""
    }
}
