import Foundation

// The body as Meta sends it. Only what wameter reads is declared; every other key is ignored by
// `Decodable`, which is what keeps new Meta fields from ever being fatal. Everything optional that
// Meta documents as optional, so only a missing identity (ids, status, timestamp) rejects a body.

struct WireBody: Decodable {
    var object: String?
    var entry: [WireEntry]?
    // On-Premises bodies have no envelope: these keys sit at the top level (reference §5).
    var statuses: [WireStatus]?
    var messages: [WireInbound]?
    var contacts: [WireContact]?
    var errors: [WireError]?
}

struct WireEntry: Decodable {
    var id: FlexString
    var time: FlexInt64?
    var changes: [WireChange]?
}

struct WireChange: Decodable {
    var field: String?
    var messagesValue: WireMessagesValue?
    var accountUpdateValue: WireAccountUpdateValue?

    enum CodingKeys: String, CodingKey { case field, value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        field = try container.decodeIfPresent(String.self, forKey: .field)
        // The value's shape depends on the field: decode only the shapes wameter understands, so a
        // change of a field we do not use can never fail the body.
        switch field {
        case "messages", nil:
            messagesValue = try container.decodeIfPresent(WireMessagesValue.self, forKey: .value)
        case "account_update":
            accountUpdateValue = try container.decodeIfPresent(WireAccountUpdateValue.self, forKey: .value)
        default:
            break
        }
    }
}

struct WireMessagesValue: Decodable {
    var metadata: WireMetadata?
    var contacts: [WireContact]?
    var messages: [WireInbound]?
    var statuses: [WireStatus]?
    var errors: [WireError]?
}

struct WireMetadata: Decodable {
    var phone_number_id: FlexString?
}

struct WireContact: Decodable {
    struct Profile: Decodable {
        var country_code: String?
    }
    var wa_id: FlexString?
    var user_id: String?
    var profile: Profile?
}

struct WireStatus: Decodable {
    struct NestedMessage: Decodable {
        var recipient_id: FlexString?
    }
    var id: String
    var status: String
    var timestamp: FlexInt64
    var recipient_id: FlexString?
    var recipient_type: String?
    var recipient_participant_id: FlexString?
    var recipient_user_id: String?
    var biz_opaque_callback_data: String?
    var conversation: WireConversation?
    var pricing: WirePricing?
    var errors: [WireError]?
    /// Some On-Premises client versions nest the recipient here (reference §5, C17).
    var message: NestedMessage?
}

struct WireConversation: Decodable {
    struct Origin: Decodable {
        var type: String?
    }
    var id: String?
    var expiration_timestamp: FlexInt64?
    var origin: Origin?
}

struct WirePricing: Decodable {
    struct Cost: Decodable {
        var amount: FlexDecimal?
        var currency: String?
    }
    var billable: FlexBool?
    var pricing_model: String?
    var type: String?
    var category: String?
    var subtype: String?
    var cost: Cost?
}

struct WireInbound: Decodable {
    struct Referral: Decodable {
        var source_type: String?
    }
    var id: String
    var from: FlexString?
    var from_user_id: String?
    var timestamp: FlexInt64
    var type: String?
    var referral: Referral?
}

struct WireError: Decodable {
    var code: FlexInt64?
    var title: String?
}

struct WireAccountUpdateValue: Decodable {
    struct TierInfo: Decodable {
        var tier_update_time: FlexInt64?
        var pricing_category: String?
        var tier: String?
        var effective_month: String?
        var region: String?
    }
    var event: String?
    var volume_tier_info: TierInfo?
}

// MARK: - Tolerant scalars

/// Unix seconds sent as a string (Cloud API) or a number (On-Premises `expiration_timestamp`).
struct FlexInt64: Decodable {
    var value: Int64

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            value = number
        } else if let text = try? container.decode(String.self), let number = Int64(text) {
            value = number
        } else if let real = try? container.decode(Double.self), real.isFinite,
            real.magnitude < 9.0e15
        {
            value = Int64(real.rounded(.down))
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected whole seconds as a number or a string of digits")
        }
    }
}

/// Ids are strings in the documents, but integration tests and old clients send numbers.
struct FlexString: Decodable {
    var value: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            value = text
        } else if let number = try? container.decode(Int64.self) {
            value = String(number)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a string")
        }
    }
}

struct FlexBool: Decodable {
    var value: Bool

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            value = flag
        } else if let text = try? container.decode(String.self), let flag = Bool(text.lowercased()) {
            value = flag
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected true or false")
        }
    }
}

/// Money as written in the body. `Decimal` decoding keeps the literal's digits (no `Double` detour).
struct FlexDecimal: Decodable {
    var value: Decimal

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Decimal.self) {
            value = number
        } else if let text = try? container.decode(String.self), let number = Decimal(string: text) {
            value = number
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a decimal amount")
        }
    }
}
