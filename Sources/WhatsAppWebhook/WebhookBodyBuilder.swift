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

        public init(
            messageId: String, status: String, timestamp: Int64, recipientId: String, pricing: Pricing? = nil,
            conversation: Conversation? = nil, callbackData: String? = nil, errorCode: Int? = nil
        ) {
            self.messageId = messageId
            self.status = status
            self.timestamp = timestamp
            self.recipientId = recipientId
            self.pricing = pricing
            self.conversation = conversation
            self.callbackData = callbackData
            self.errorCode = errorCode
        }
    }

    public struct Pricing: Sendable {
        public var model: String
        public var category: String
        public var billable: Bool
        public var type: String?

        public init(model: String, category: String, billable: Bool = true, type: String? = nil) {
            self.model = model
            self.category = category
            self.billable = billable
            self.type = type
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

        public init(messageId: String, from: String, timestamp: Int64, text: String) {
            self.messageId = messageId
            self.from = from
            self.timestamp = timestamp
            self.text = text
        }
    }

    /// One `changes[]` item of field `messages` for one business phone number.
    public struct Change: Sendable {
        public var phoneNumberId: String
        public var displayPhoneNumber: String
        public var statuses: [Status]
        public var inbound: [Inbound]

        public init(
            phoneNumberId: String, displayPhoneNumber: String = "15550000000", statuses: [Status] = [],
            inbound: [Inbound] = []
        ) {
            self.phoneNumberId = phoneNumberId
            self.displayPhoneNumber = displayPhoneNumber
            self.statuses = statuses
            self.inbound = inbound
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
                if !change.statuses.isEmpty {
                    out += #","statuses":["# + change.statuses.map(status).joined(separator: ",") + "]"
                }
                if !change.inbound.isEmpty {
                    out +=
                        #","contacts":["#
                        + change.inbound.map { #"{"profile":{"name":"User"},"wa_id":"# + quote($0.from) + "}" }.joined(
                            separator: ",") + "]"
                    out += #","messages":["# + change.inbound.map(inbound).joined(separator: ",") + "]"
                }
                out += "}}"
            }
            out += "]}"
        }
        out += "]}"
        return Data(out.utf8)
    }

    /// A body with a single status for one account and phone number.
    public func body(account: String, phoneNumberId: String = "106540352242922", status: Status) -> Data {
        body([(account, [Change(phoneNumberId: phoneNumberId, statuses: [status])])])
    }

    private func status(_ status: Status) -> String {
        var out = #"{"id":"# + quote(status.messageId) + #","status":"# + quote(status.status)
        out += #","timestamp":""# + String(status.timestamp) + #"","recipient_id":"# + quote(status.recipientId)
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
            out += #","category":"# + quote(pricing.category) + "}"
        }
        if let code = status.errorCode {
            out +=
                #","errors":[{"code":"# + String(code)
                + #","title":"Message undeliverable","message":"Message undeliverable"}]"#
        }
        return out + "}"
    }

    private func inbound(_ message: Inbound) -> String {
        #"{"from":"# + quote(message.from) + #","id":"# + quote(message.messageId) + #","timestamp":""#
            + String(message.timestamp) + #"","text":{"body":"# + quote(message.text) + #"},"type":"text"}"#
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
