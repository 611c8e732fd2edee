import Foundation

/// Turns one webhook body (the raw bytes Meta POSTs, or one line of a JSONL file) into normalised
/// events. A body is accepted whole or rejected whole: nothing is returned for an invalid body, so a
/// caller can never store part of one.
public struct WebhookDecoder: Sendable {
    private let decoder = JSONDecoder()

    public init() {}

    /// - Parameter onPremisesAccount: the account that On-Premises bodies (which carry no WABA id)
    ///   are attributed to. Cloud API bodies always name their account in `entry[].id`.
    public func decode(_ body: Data, onPremisesAccount: String? = nil) throws(WebhookDecodingError) -> [WebhookEvent] {
        let wire: WireBody
        do {
            wire = try decoder.decode(WireBody.self, from: body)
        } catch let error as DecodingError {
            throw Self.classify(error)
        } catch {
            throw .notJSON(String(describing: error))
        }
        if let entries = wire.entry {
            if let object = wire.object, object != "whatsapp_business_account" {
                throw .notWhatsApp("object is \"\(object)\", expected \"whatsapp_business_account\"")
            }
            return Self.events(fromCloud: entries)
        }
        if wire.statuses != nil || wire.messages != nil || wire.errors != nil || wire.contacts != nil {
            return Self.events(
                account: onPremisesAccount, phoneNumberId: nil, statuses: wire.statuses ?? [],
                inbound: wire.messages ?? [], contacts: wire.contacts ?? [], errors: wire.errors ?? [])
        }
        if let object = wire.object {
            throw .notWhatsApp("object \"\(object)\" has no entry array")
        }
        throw .notWhatsApp("no entry array (Cloud API) and no statuses, messages or errors (On-Premises)")
    }

    private static func events(fromCloud entries: [WireEntry]) -> [WebhookEvent] {
        var events: [WebhookEvent] = []
        for entry in entries {
            let account = entry.id.value
            for change in entry.changes ?? [] {
                if let value = change.messagesValue {
                    events += Self.events(
                        account: account, phoneNumberId: value.metadata?.phone_number_id?.value,
                        statuses: value.statuses ?? [], inbound: value.messages ?? [],
                        contacts: value.contacts ?? [], errors: value.errors ?? [])
                } else if change.field == "account_update" {
                    let value = change.accountUpdateValue
                    let tier = value?.volume_tier_info.map {
                        VolumeTierInfo(
                            tierUpdateTime: $0.tier_update_time?.value, pricingCategory: $0.pricing_category,
                            tier: $0.tier, effectiveMonth: $0.effective_month, region: $0.region)
                    }
                    events.append(
                        .accountUpdate(
                            AccountUpdateEvent(
                                account: account, event: value?.event, time: entry.time?.value, volumeTier: tier)))
                } else if let field = change.field, field != "messages" {
                    events.append(.unhandledChange(account: account, field: field))
                }
            }
        }
        return events
    }

    private static func events(
        account: String?, phoneNumberId: String?, statuses: [WireStatus], inbound: [WireInbound],
        contacts: [WireContact], errors: [WireError]
    ) -> [WebhookEvent] {
        var events: [WebhookEvent] = []
        events.reserveCapacity(statuses.count + inbound.count + errors.count)
        for status in statuses {
            events.append(
                .status(statusEvent(status, account: account, phoneNumberId: phoneNumberId, contacts: contacts)))
        }
        for message in inbound {
            let from = nonEmpty(message.from?.value)
            let contact =
                contacts.first { from != nil && $0.wa_id?.value == from } ?? (contacts.count == 1 ? contacts[0] : nil)
            events.append(
                .inbound(
                    InboundMessageEvent(
                        account: account, phoneNumberId: phoneNumberId, messageId: message.id, from: from,
                        fromUserId: nonEmpty(message.from_user_id),
                        fromCountryCode: nonEmpty(contact?.profile?.country_code),
                        timestamp: message.timestamp.value, type: message.type, hasReferral: message.referral != nil)))
        }
        for error in errors {
            events.append(
                .systemError(
                    SystemErrorEvent(
                        account: account, phoneNumberId: phoneNumberId, code: error.code.map { Int($0.value) },
                        title: error.title)))
        }
        return events
    }

    private static func statusEvent(
        _ status: WireStatus, account: String?, phoneNumberId: String?, contacts: [WireContact]
    ) -> StatusEvent {
        let recipient = nonEmpty(status.recipient_id?.value) ?? nonEmpty(status.message?.recipient_id?.value)
        let userId = nonEmpty(status.recipient_user_id)
        // Contacts on status webhooks (2026, business-scoped user ids) carry the recipient's country,
        // the only clue to the market when the phone number is withheld (reference §3.6).
        let contact =
            contacts.first {
                (recipient != nil && $0.wa_id?.value == recipient) || (userId != nil && $0.user_id == userId)
            }
            ?? (contacts.count == 1 ? contacts[0] : nil)
        let pricing = status.pricing.map {
            PricingInfo(
                billable: $0.billable?.value, pricingModel: nonEmpty($0.pricing_model), type: nonEmpty($0.type),
                category: nonEmpty($0.category), subtype: nonEmpty($0.subtype), costAmount: $0.cost?.amount?.value,
                costCurrency: nonEmpty($0.cost?.currency))
        }
        let conversation = status.conversation.map {
            ConversationInfo(
                id: nonEmpty($0.id), expirationTimestamp: $0.expiration_timestamp?.value,
                originType: nonEmpty($0.origin?.type))
        }
        return StatusEvent(
            account: account, phoneNumberId: phoneNumberId, messageId: status.id,
            status: MessageStatus(rawValue: status.status),
            timestamp: status.timestamp.value, recipientId: recipient, recipientType: nonEmpty(status.recipient_type),
            recipientParticipantId: nonEmpty(status.recipient_participant_id?.value), recipientUserId: userId,
            recipientCountryCode: nonEmpty(contact?.profile?.country_code)?.uppercased(),
            callbackData: nonEmpty(status.biz_opaque_callback_data), conversation: conversation, pricing: pricing,
            errorCode: status.errors?.first?.code.map { Int($0.value) })
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    /// Names the place in the body and the problem, e.g. `entry[0].changes[0].value.statuses[1].id: missing`.
    private static func classify(_ error: DecodingError) -> WebhookDecodingError {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
                }
            }
            return text.isEmpty ? "body" : text
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return .notJSON(context.underlyingError.map { String(describing: $0) } ?? context.debugDescription)
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return .notWhatsApp("the body is not a JSON object")
        case .keyNotFound(let key, let context):
            return .malformed("\(path(context.codingPath + [key])): missing")
        case .typeMismatch(let type, let context):
            return .malformed("\(path(context.codingPath)): expected \(type)")
        case .valueNotFound(let type, let context):
            return .malformed("\(path(context.codingPath)): null where \(type) expected")
        case .dataCorrupted(let context):
            return .malformed("\(path(context.codingPath)): \(context.debugDescription)")
        @unknown default:
            return .malformed(String(describing: error))
        }
    }
}
