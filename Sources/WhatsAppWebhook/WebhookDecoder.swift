import Foundation

/// Turns one webhook body (the raw bytes Meta POSTs, or one line of a JSONL file) into normalised
/// events. A body is accepted whole or rejected whole: nothing is returned for an invalid body, so a
/// caller can never store part of one.
///
/// Only what wameter reads is looked at; every other key is ignored, which is what keeps new Meta
/// fields from ever being fatal. A missing identity (ids, status, timestamp), a value of an impossible
/// type, or a value outside `InputRules` rejects a body (docs/input.md lists each field's rule).
public struct WebhookDecoder: Sendable {
    public init() {}

    /// - Parameter onPremisesAccount: the account that On-Premises bodies (which carry no WABA id)
    ///   are attributed to. Cloud API bodies always name their account in `entry[].id`.
    public func decode(_ body: Data, onPremisesAccount: String? = nil) throws(WebhookDecodingError) -> [WebhookEvent] {
        let parsed: Result<JSONValue, JSONParseError> = body.withUnsafeBytes { raw in
            Result { () throws(JSONParseError) -> JSONValue in
                try JSONParser.parse(raw.assumingMemoryBound(to: UInt8.self))
            }
        }
        let root: JSONValue
        switch parsed {
        case .success(let value): root = value
        case .failure(let error): throw .notJSON("\(error.reason) at byte \(error.offset)")
        }
        guard case .object = root else { throw .notWhatsApp("the body is not a JSON object") }

        let object = try JSONFields.label(root["object"], "object")
        if let object, object != "whatsapp_business_account" {
            throw .notWhatsApp("object is \"\(object)\", expected \"whatsapp_business_account\"")
        }
        let entries = try JSONFields.array(root["entry"], "entry")
        if !entries.isEmpty || object != nil {
            return try Self.events(fromCloud: entries)
        }
        if root["statuses"] != nil || root["messages"] != nil || root["errors"] != nil || root["contacts"] != nil {
            return try Self.events(
                account: onPremisesAccount, phoneNumberId: nil, value: root, path: { "" })
        }
        throw .notWhatsApp("no entry array (Cloud API) and no statuses, messages or errors (On-Premises)")
    }

    private static func events(fromCloud entries: [JSONValue]) throws(WebhookDecodingError) -> [WebhookEvent] {
        var events: [WebhookEvent] = []
        for (entryIndex, entry) in entries.enumerated() {
            guard try JSONFields.object(entry, "entry[\(entryIndex)]") != nil else {
                throw .malformed("entry[\(entryIndex)]: expected an object")
            }
            guard let account = try JSONFields.accountId(entry["id"], "entry[\(entryIndex)].id") else {
                throw JSONFields.missing({ "entry[\(entryIndex)].id" })
            }
            let time = try JSONFields.fallbackSeconds(entry["time"], "entry[\(entryIndex)].time")
            let changes = try JSONFields.array(entry["changes"], "entry[\(entryIndex)].changes")
            for (changeIndex, change) in changes.enumerated() {
                let path = { "entry[\(entryIndex)].changes[\(changeIndex)]" }
                guard try JSONFields.object(change, path()) != nil else {
                    throw .malformed("\(path()): expected an object")
                }
                let field = try JSONFields.label(change["field"], "\(path()).field")
                // The value's shape depends on the field: read only the shapes wameter understands, so a
                // change of a field we do not use can never fail the body.
                switch field {
                case "messages", "standby", nil:
                    // `standby` carries what a conversation handled by Meta's Business Agent sends and
                    // receives, in the `messages` layout, its replies as echoes (reference §7.12).
                    guard let value = try JSONFields.object(change["value"], "\(path()).value") else { continue }
                    let metadata = try JSONFields.object(value["metadata"], "\(path()).value.metadata")
                    let phone = try JSONFields.accountId(
                        metadata?["phone_number_id"], "\(path()).value.metadata.phone_number_id")
                    events += try Self.events(
                        account: account, phoneNumberId: phone, value: value, path: { "\(path()).value." })
                    if field == "standby" {
                        events += try Self.echoes(
                            account: account, phoneNumberId: phone, value: value, sender: .agent,
                            path: { "\(path()).value." })
                    }
                    if let phone,
                        let display = try JSONFields.text(
                            metadata?["display_phone_number"], "\(path()).value.metadata.display_phone_number")
                    {
                        events.append(
                            .phoneNumber(
                                PhoneNumberEvent(account: account, phoneNumberId: phone, displayNumber: display)))
                    }
                case "account_update":
                    let value = try JSONFields.object(change["value"], "\(path()).value")
                    let tierPath = { "\(path()).value.volume_tier_info" }
                    let tier = try JSONFields.object(value?["volume_tier_info"], tierPath()).map {
                        tier throws(WebhookDecodingError) in
                        VolumeTierInfo(
                            tierUpdateTime: try JSONFields.seconds(
                                tier["tier_update_time"], "\(tierPath()).tier_update_time"),
                            pricingCategory: try JSONFields.label(
                                tier["pricing_category"], "\(tierPath()).pricing_category"),
                            tier: try JSONFields.label(tier["tier"], "\(tierPath()).tier"),
                            effectiveMonth: try JSONFields.label(
                                tier["effective_month"], "\(tierPath()).effective_month"),
                            region: try JSONFields.label(tier["region"], "\(tierPath()).region"))
                    }
                    events.append(
                        .accountUpdate(
                            AccountUpdateEvent(
                                account: account,
                                event: try JSONFields.label(value?["event"], "\(path()).value.event"),
                                time: time, volumeTier: tier)))
                case "smb_message_echoes":
                    // Messages typed in the WhatsApp Business app on a coexistence number: free, counted
                    // apart from what the API sends.
                    guard let value = try JSONFields.object(change["value"], "\(path()).value") else { continue }
                    let metadata = try JSONFields.object(value["metadata"], "\(path()).value.metadata")
                    let phone = try JSONFields.accountId(
                        metadata?["phone_number_id"], "\(path()).value.metadata.phone_number_id")
                    events += try Self.echoes(
                        account: account, phoneNumberId: phone, value: value, sender: .app,
                        path: { "\(path()).value." })
                case "calls":
                    guard let value = try JSONFields.object(change["value"], "\(path()).value") else { continue }
                    events += try Self.callEvents(account: account, value: value, path: { "\(path()).value." })
                case let field?:
                    events.append(.unhandledChange(account: account, field: field))
                }
            }
        }
        return events
    }

    /// Reads `statuses`, `messages`, `contacts` and `errors` of a Cloud API `value` or of an
    /// On-Premises body (same names, no envelope). `path` prefixes error locations.
    private static func events(
        account: String?, phoneNumberId: String?, value: JSONValue, path: @escaping () -> String
    ) throws(WebhookDecodingError) -> [WebhookEvent] {
        let contacts = try Self.contacts(value, path: path)
        var events: [WebhookEvent] = []
        let statuses = try JSONFields.array(value["statuses"], "\(path())statuses")
        let messages = try JSONFields.array(value["messages"], "\(path())messages")
        let errors = try JSONFields.array(value["errors"], "\(path())errors")
        events.reserveCapacity(statuses.count + messages.count + errors.count)
        for (index, status) in statuses.enumerated() {
            let event = try statusEvent(
                status, path: { "\(path())statuses[\(index)]" }, account: account, phoneNumberId: phoneNumberId,
                contacts: contacts)
            events.append(.status(event))
        }
        for (index, message) in messages.enumerated() {
            let messagePath = { "\(path())messages[\(index)]" }
            guard try JSONFields.object(message, messagePath()) != nil else {
                throw .malformed("\(messagePath()): expected an object")
            }
            guard let id = try JSONFields.token(message["id"], "\(messagePath()).id") else {
                throw JSONFields.missing({ "\(messagePath()).id" })
            }
            guard let timestamp = try JSONFields.seconds(message["timestamp"], "\(messagePath()).timestamp") else {
                throw JSONFields.missing({ "\(messagePath()).timestamp" })
            }
            let from = try JSONFields.token(message["from"], "\(messagePath()).from")
            let contact = contacts.first { from != nil && $0.waId == from } ?? (contacts.count == 1 ? contacts[0] : nil)
            events.append(
                .inbound(
                    InboundMessageEvent(
                        account: account, phoneNumberId: phoneNumberId, messageId: id, from: from,
                        fromUserId: try JSONFields.token(message["from_user_id"], "\(messagePath()).from_user_id"),
                        fromCountryCode: contact?.countryCode, timestamp: timestamp,
                        type: try JSONFields.label(message["type"], "\(messagePath()).type"),
                        hasReferral: try JSONFields.object(message["referral"], "\(messagePath()).referral") != nil)))
        }
        for (index, error) in errors.enumerated() {
            let errorPath = { "\(path())errors[\(index)]" }
            events.append(
                .systemError(
                    SystemErrorEvent(
                        account: account, phoneNumberId: phoneNumberId,
                        code: try JSONFields.integer(error["code"], "\(errorPath()).code"),
                        title: try JSONFields.text(error["title"], "\(errorPath()).title"))))
        }
        return events
    }

    /// Reads a `calls` change's `value`: its `calls[]` events and its call `statuses[]`. Neither
    /// carries a price (calls are priced from the calling rate card), and the statuses are a call's,
    /// never a message's.
    private static func callEvents(
        account: String, value: JSONValue, path: @escaping () -> String
    ) throws(WebhookDecodingError) -> [WebhookEvent] {
        let metadata = try JSONFields.object(value["metadata"], "\(path())metadata")
        let phone = try JSONFields.accountId(metadata?["phone_number_id"], "\(path())metadata.phone_number_id")
        let display = try JSONFields.text(metadata?["display_phone_number"], "\(path())metadata.display_phone_number")
        let contacts = try Self.contacts(value, path: path)
        // Errors may come with the call or beside it (Meta's examples show both).
        let valueErrors = try JSONFields.array(value["errors"], "\(path())errors")
        let valueError = try valueErrors.first.flatMap { error throws(WebhookDecodingError) in
            try JSONFields.integer(error["code"], "\(path())errors[0].code")
        }
        var events: [WebhookEvent] = []
        for (index, call) in try JSONFields.array(value["calls"], "\(path())calls").enumerated() {
            let callPath = { "\(path())calls[\(index)]" }
            guard try JSONFields.object(call, callPath()) != nil else {
                throw .malformed("\(callPath()): expected an object")
            }
            guard let id = try JSONFields.token(call["id"], "\(callPath()).id") else {
                throw JSONFields.missing({ "\(callPath()).id" })
            }
            let directionLabel = try JSONFields.label(call["direction"], "\(callPath()).direction")
            let direction = directionLabel.flatMap(CallDirection.init(wire:))
            let from = try JSONFields.token(call["from"], "\(callPath()).from")
            let to = try JSONFields.token(call["to"], "\(callPath()).to")
            let userId = try JSONFields.token(
                call[direction == .userInitiated ? "from_user_id" : "to_user_id"], "\(callPath()).user id")
            let duration = try JSONFields.duration(call["duration"], "\(callPath()).duration")
            let errors = try JSONFields.array(call["errors"], "\(callPath()).errors")
            let contact =
                contacts.first {
                    ($0.waId != nil && ($0.waId == from || $0.waId == to)) || ($0.userId != nil && $0.userId == userId)
                }
                ?? (contacts.count == 1 ? contacts[0] : nil)
            events.append(
                .call(
                    CallEvent(
                        account: account, phoneNumberId: phone, callId: id,
                        event: try JSONFields.label(call["event"], "\(callPath()).event"),
                        timestamp: try JSONFields.seconds(call["timestamp"], "\(callPath()).timestamp"),
                        direction: direction,
                        userNumber: Self.userNumber(direction: direction, from: from, to: to, business: display),
                        userCountryCode: contact?.countryCode,
                        status: try JSONFields.label(call["status"], "\(callPath()).status")?.uppercased(),
                        startTime: try JSONFields.seconds(call["start_time"], "\(callPath()).start_time"),
                        endTime: try JSONFields.seconds(call["end_time"], "\(callPath()).end_time"),
                        duration: duration,
                        errorCode: try errors.first.flatMap { error throws(WebhookDecodingError) in
                            try JSONFields.integer(error["code"], "\(callPath()).errors[0].code")
                        } ?? valueError,
                        callbackData: try JSONFields.text(
                            call["biz_opaque_callback_data"], "\(callPath()).biz_opaque_callback_data"))))
        }
        for (index, status) in try JSONFields.array(value["statuses"], "\(path())statuses").enumerated() {
            let statusPath = { "\(path())statuses[\(index)]" }
            guard try JSONFields.object(status, statusPath()) != nil else {
                throw .malformed("\(statusPath()): expected an object")
            }
            guard let id = try JSONFields.token(status["id"], "\(statusPath()).id") else {
                throw JSONFields.missing({ "\(statusPath()).id" })
            }
            guard let state = try JSONFields.label(status["status"], "\(statusPath()).status") else {
                throw JSONFields.missing({ "\(statusPath()).status" })
            }
            guard let timestamp = try JSONFields.seconds(status["timestamp"], "\(statusPath()).timestamp") else {
                throw JSONFields.missing({ "\(statusPath()).timestamp" })
            }
            events.append(
                .callStatus(
                    CallStatusEvent(
                        account: account, phoneNumberId: phone, callId: id, status: state.uppercased(),
                        timestamp: timestamp,
                        recipientId: try JSONFields.token(status["recipient_id"], "\(statusPath()).recipient_id"),
                        callbackData: try JSONFields.text(
                            status["biz_opaque_callback_data"], "\(statusPath()).biz_opaque_callback_data"))))
        }
        if let phone, let display {
            events.append(
                .phoneNumber(PhoneNumberEvent(account: account, phoneNumberId: phone, displayNumber: display)))
        }
        return events
    }

    /// A value's `message_echoes[]`: messages the business sent from the app or the agent sent.
    private static func echoes(
        account: String, phoneNumberId: String?, value: JSONValue, sender: EchoSender, path: @escaping () -> String
    ) throws(WebhookDecodingError) -> [WebhookEvent] {
        let echoes = try JSONFields.array(value["message_echoes"], "\(path())message_echoes")
        guard !echoes.isEmpty else { return [] }
        let contacts = try Self.contacts(value, path: path)
        var events: [WebhookEvent] = []
        for (index, echo) in echoes.enumerated() {
            let echoPath = { "\(path())message_echoes[\(index)]" }
            guard try JSONFields.object(echo, echoPath()) != nil else {
                throw .malformed("\(echoPath()): expected an object")
            }
            guard let id = try JSONFields.token(echo["id"], "\(echoPath()).id") else {
                throw JSONFields.missing({ "\(echoPath()).id" })
            }
            guard let timestamp = try JSONFields.seconds(echo["timestamp"], "\(echoPath()).timestamp") else {
                throw JSONFields.missing({ "\(echoPath()).timestamp" })
            }
            let to = try JSONFields.token(echo["to"], "\(echoPath()).to")
            let contact = contacts.first { to != nil && $0.waId == to } ?? (contacts.count == 1 ? contacts[0] : nil)
            events.append(
                .echo(
                    EchoEvent(
                        account: account, phoneNumberId: phoneNumberId, messageId: id, to: to,
                        toCountryCode: contact?.countryCode, timestamp: timestamp,
                        type: try JSONFields.label(echo["type"], "\(echoPath()).type"), sender: sender)))
        }
        return events
    }

    /// The user's side of a call: the called number of a business-initiated call, the caller of a
    /// user-initiated one; when that side is the business's own number (as some examples have it),
    /// the other side.
    static func userNumber(direction: CallDirection?, from: String?, to: String?, business: String?) -> String? {
        let digits = { (number: String?) in number.map { $0.filter(\.isNumber) } }
        let (user, other) = direction == .userInitiated ? (from, to) : (to, from)
        if let business = digits(business), !business.isEmpty, digits(user) == business, digits(other) != business {
            return other
        }
        return user
    }

    /// A value's `contacts[]`: the users it is about, with their number, business-scoped id and
    /// country.
    private static func contacts(
        _ value: JSONValue, path: @escaping () -> String
    ) throws(WebhookDecodingError) -> [Contact] {
        try JSONFields.array(value["contacts"], "\(path())contacts").enumerated().map {
            (index, contact) throws(WebhookDecodingError) -> Contact in
            let contactPath = { "\(path())contacts[\(index)]" }
            let profile = try JSONFields.object(contact["profile"], "\(contactPath()).profile")
            return Contact(
                waId: try JSONFields.token(contact["wa_id"], "\(contactPath()).wa_id"),
                userId: try JSONFields.token(contact["user_id"], "\(contactPath()).user_id"),
                countryCode: try JSONFields.countryCode(
                    profile?["country_code"], "\(contactPath()).profile.country_code"))
        }
    }

    private struct Contact {
        var waId: String?
        var userId: String?
        var countryCode: String?
    }

    private static func statusEvent(
        _ status: JSONValue, path: () -> String, account: String?, phoneNumberId: String?, contacts: [Contact]
    ) throws(WebhookDecodingError) -> StatusEvent {
        guard try JSONFields.object(status, path()) != nil else { throw .malformed("\(path()): expected an object") }
        guard let id = try JSONFields.token(status["id"], "\(path()).id") else {
            throw JSONFields.missing({ "\(path()).id" })
        }
        guard let state = try JSONFields.label(status["status"], "\(path()).status") else {
            throw JSONFields.missing({ "\(path()).status" })
        }
        guard let timestamp = try JSONFields.seconds(status["timestamp"], "\(path()).timestamp") else {
            throw JSONFields.missing({ "\(path()).timestamp" })
        }
        // Some On-Premises client versions nest the recipient under `message` (reference §5, C17).
        let nested = try JSONFields.object(status["message"], "\(path()).message")
        let nestedRecipient = try JSONFields.token(nested?["recipient_id"], "\(path()).message.recipient_id")
        let recipient =
            try JSONFields.token(status["recipient_id"], "\(path()).recipient_id") ?? nestedRecipient
        let userId = try JSONFields.token(status["recipient_user_id"], "\(path()).recipient_user_id")
        // Contacts on status webhooks (2026, business-scoped user ids) carry the recipient's country,
        // the only clue to the market when the phone number is withheld (reference §3.6).
        let contact =
            contacts.first { (recipient != nil && $0.waId == recipient) || (userId != nil && $0.userId == userId) }
            ?? (contacts.count == 1 ? contacts[0] : nil)

        var pricing: PricingInfo?
        if let wire = try JSONFields.object(status["pricing"], "\(path()).pricing") {
            let cost = try JSONFields.object(wire["cost"], "\(path()).pricing.cost")
            pricing = PricingInfo(
                billable: try JSONFields.bool(wire["billable"], "\(path()).pricing.billable"),
                pricingModel: try JSONFields.label(wire["pricing_model"], "\(path()).pricing.pricing_model"),
                type: try JSONFields.label(wire["type"], "\(path()).pricing.type"),
                category: try JSONFields.label(wire["category"], "\(path()).pricing.category"),
                subtype: try JSONFields.label(wire["subtype"], "\(path()).pricing.subtype"),
                costAmount: try JSONFields.decimal(cost?["amount"], "\(path()).pricing.cost.amount"),
                costCurrency: try JSONFields.currency(cost?["currency"], "\(path()).pricing.cost.currency"))
        }
        var conversation: ConversationInfo?
        if let wire = try JSONFields.object(status["conversation"], "\(path()).conversation") {
            let origin = try JSONFields.object(wire["origin"], "\(path()).conversation.origin")
            conversation = ConversationInfo(
                id: try JSONFields.token(wire["id"], "\(path()).conversation.id"),
                expirationTimestamp: try JSONFields.seconds(
                    wire["expiration_timestamp"], "\(path()).conversation.expiration_timestamp"),
                originType: try JSONFields.label(origin?["type"], "\(path()).conversation.origin.type"))
        }
        let errors = try JSONFields.array(status["errors"], "\(path()).errors")
        return StatusEvent(
            account: account, phoneNumberId: phoneNumberId, messageId: id, status: MessageStatus(rawValue: state),
            timestamp: timestamp,
            recipientId: recipient,
            recipientType: try JSONFields.label(status["recipient_type"], "\(path()).recipient_type"),
            recipientParticipantId: try JSONFields.token(
                status["recipient_participant_id"], "\(path()).recipient_participant_id"),
            recipientUserId: userId, recipientCountryCode: contact?.countryCode,
            callbackData: try JSONFields.text(status["biz_opaque_callback_data"], "\(path()).biz_opaque_callback_data"),
            conversation: conversation, pricing: pricing,
            errorCode: try errors.first.flatMap { error throws(WebhookDecodingError) in
                try JSONFields.integer(error["code"], "\(path()).errors[0].code")
            })
    }
}
