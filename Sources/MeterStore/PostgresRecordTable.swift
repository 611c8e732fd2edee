import Foundation
import MeterCore
import PostgresNIO
import WhatsAppWebhook

/// How one kind of ledger record maps to its PostgreSQL table: the columns (account and key first,
/// in the order of `bind` and `decode`), and the conversions both ways.
struct PostgresRecordTable<Record: LedgerRecord>: Sendable {
    var name: String
    /// The column after `account` that identifies the record within its account.
    var keyColumn: String
    var columns: [String]
    var bind: @Sendable (Record, inout PostgresColumnArrays) -> Void
    var decode: @Sendable (PostgresRandomAccessRow) throws -> Record

    var columnList: String { columns.joined(separator: ", ") }

    /// `SET column = excluded.column` for every column but the key.
    var updateFromExcluded: String {
        columns.dropFirst(2).map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
    }

    /// One statement inserting the records, in their order, bound as arrays (`PostgresColumnArrays`),
    /// followed by `tail` (the `ON CONFLICT` clause and what it returns); none for no records.
    func insert(_ records: some Sequence<Record>, tail: String) -> PostgresQuery? {
        PostgresColumnArrays.insert(
            "INSERT INTO \(name) (\(columnList))", columns: columns.count, rows: records, tail: tail, bind: bind)
    }
}

extension PostgresRecordTable<MessageRecord> {
    static let messages = PostgresRecordTable(
        name: "messages", keyColumn: "wamid",
        columns: [
            "account", "wamid", "phone_number_id", "recipient_id", "recipient_participant_id", "recipient_user_id",
            "recipient_country_code", "is_group", "callback_data", "sent_at", "delivered_at", "read_at", "failed_at",
            "error_code", "pricing_model", "pricing_type", "pricing_category", "pricing_billable", "pricing_subtype",
            "pricing_key", "cost_amount", "cost_currency", "cost_at", "conversation_id", "conversation_origin",
            "conversation_expires_at", "conversation_key",
        ],
        bind: { m, b in
            b.append(m.account)
            b.append(m.messageId)
            b.append(m.phoneNumberId)
            b.append(m.recipientId)
            b.append(m.recipientParticipantId)
            b.append(m.recipientUserId)
            b.append(m.recipientCountryCode)
            b.append(m.isGroup)
            b.append(m.callbackData)
            b.append(m.sentAt)
            b.append(m.deliveredAt)
            b.append(m.readAt)
            b.append(m.failedAt)
            b.append(m.errorCode.map(Int64.init))
            b.append(m.pricing?.pricingModel)
            b.append(m.pricing?.type)
            b.append(m.pricing?.category)
            b.append(m.pricing?.billable)
            b.append(m.pricing?.subtype)
            b.append(m.pricingKey)
            b.append(m.costAmount.map(StoredDecimal.text))
            b.append(m.costCurrency)
            b.append(m.costAt)
            b.append(m.conversationId)
            b.append(m.conversationOrigin)
            b.append(m.conversationExpiresAt)
            b.append(m.conversationKey)
        },
        decode: { row in
            var m = MessageRecord(account: try row[0].decode(String.self), messageId: try row[1].decode(String.self))
            m.phoneNumberId = try row[2].decode(String?.self)
            m.recipientId = try row[3].decode(String?.self)
            m.recipientParticipantId = try row[4].decode(String?.self)
            m.recipientUserId = try row[5].decode(String?.self)
            m.recipientCountryCode = try row[6].decode(String?.self)
            m.isGroup = try row[7].decode(Bool.self)
            m.callbackData = try row[8].decode(String?.self)
            m.sentAt = try row[9].decode(Int64?.self)
            m.deliveredAt = try row[10].decode(Int64?.self)
            m.readAt = try row[11].decode(Int64?.self)
            m.failedAt = try row[12].decode(Int64?.self)
            m.errorCode = try row[13].decode(Int64?.self).map(Int.init)
            if let key = try row[19].decode(Int64?.self) {
                // Built directly, as SQLite's reader does: stored values are already normalised.
                var pricing = PricingInfo()
                pricing.pricingModel = try row[14].decode(String?.self)
                pricing.type = try row[15].decode(String?.self)
                pricing.category = try row[16].decode(String?.self)
                pricing.billable = try row[17].decode(Bool?.self)
                pricing.subtype = try row[18].decode(String?.self)
                m.pricing = pricing
                m.pricingKey = key
            }
            if let amount = try row[20].decode(String?.self) {
                m.costAmount = StoredDecimal.value(amount)
                m.costCurrency = try row[21].decode(String?.self)
                m.costAt = try row[22].decode(Int64?.self)
            }
            m.conversationId = try row[23].decode(String?.self)
            m.conversationOrigin = try row[24].decode(String?.self)
            m.conversationExpiresAt = try row[25].decode(Int64?.self)
            m.conversationKey = try row[26].decode(Int64?.self)
            return m
        })
}

extension PostgresRecordTable<ConversationRecord> {
    static let conversations = PostgresRecordTable(
        name: "conversations", keyColumn: "conversation_id",
        columns: [
            "account", "conversation_id", "first_sent_at", "first_delivered_at", "category", "category_key",
            "recipient_number", "recipient_country_code", "is_free_entry_point", "phone_number_id",
        ],
        bind: { c, b in
            b.append(c.account)
            b.append(c.conversationId)
            b.append(c.firstSentAt)
            b.append(c.firstDeliveredAt)
            b.append(c.category)
            b.append(c.categoryKey)
            b.append(c.recipientNumber)
            b.append(c.recipientCountryCode)
            b.append(c.isFreeEntryPoint)
            b.append(c.phoneNumberId)
        },
        decode: { row in
            var c = ConversationRecord(
                account: try row[0].decode(String.self), conversationId: try row[1].decode(String.self))
            c.firstSentAt = try row[2].decode(Int64?.self)
            c.firstDeliveredAt = try row[3].decode(Int64?.self)
            c.category = try row[4].decode(String?.self)
            c.categoryKey = try row[5].decode(Int64?.self)
            c.recipientNumber = try row[6].decode(String?.self)
            c.recipientCountryCode = try row[7].decode(String?.self)
            c.isFreeEntryPoint = try row[8].decode(Bool.self)
            c.phoneNumberId = try row[9].decode(String?.self)
            return c
        })
}

extension PostgresRecordTable<CallRecord> {
    /// `placed_at` last: derived from the record (what month queries select on), not read back.
    static let calls = PostgresRecordTable(
        name: "calls", keyColumn: "call_id",
        columns: [
            "account", "call_id", "phone_number_id", "direction", "user_number", "user_country_code",
            "first_event_at", "start_time", "end_time", "duration", "outcome", "progress", "error_code",
            "callback_data", "placed_at",
        ],
        bind: { c, b in
            b.append(c.account)
            b.append(c.callId)
            b.append(c.phoneNumberId)
            b.append(c.direction?.rawValue)
            b.append(c.userNumber)
            b.append(c.userCountryCode)
            b.append(c.firstEventAt)
            b.append(c.startTime)
            b.append(c.endTime)
            b.append(c.duration)
            b.append(c.outcome)
            b.append(c.progress)
            b.append(c.errorCode.map(Int64.init))
            b.append(c.callbackData)
            b.append(c.placedAt)
        },
        decode: { row in
            CallRecord(
                account: try row[0].decode(String.self), callId: try row[1].decode(String.self),
                phoneNumberId: try row[2].decode(String?.self),
                direction: try row[3].decode(String?.self).flatMap(CallDirection.init(rawValue:)),
                userNumber: try row[4].decode(String?.self), userCountryCode: try row[5].decode(String?.self),
                firstEventAt: try row[6].decode(Int64?.self), startTime: try row[7].decode(Int64?.self),
                endTime: try row[8].decode(Int64?.self), duration: try row[9].decode(Int64?.self),
                outcome: try row[10].decode(String?.self), progress: try row[11].decode(String?.self),
                errorCode: try row[12].decode(Int64?.self).map(Int.init), callbackData: try row[13].decode(String?.self)
            )
        })
}

extension PostgresRecordTable<EchoRecord> {
    static let echoes = PostgresRecordTable(
        name: "echo_messages", keyColumn: "wamid",
        columns: [
            "account", "wamid", "phone_number_id", "recipient", "recipient_country_code", "sent_at", "type", "sender",
        ],
        bind: { e, b in
            b.append(e.account)
            b.append(e.messageId)
            b.append(e.phoneNumberId)
            b.append(e.to)
            b.append(e.toCountryCode)
            b.append(e.sentAt)
            b.append(e.type)
            b.append(e.sender.rawValue)
        },
        decode: { row in
            EchoRecord(
                account: try row[0].decode(String.self), messageId: try row[1].decode(String.self),
                phoneNumberId: try row[2].decode(String?.self), to: try row[3].decode(String?.self),
                toCountryCode: try row[4].decode(String?.self), sentAt: try row[5].decode(Int64.self),
                type: try row[6].decode(String?.self),
                sender: EchoSender(rawValue: try row[7].decode(String.self)) ?? .app)
        })
}

extension PostgresRecordTable<InboundRecord> {
    static let inbound = PostgresRecordTable(
        name: "inbound_messages", keyColumn: "wamid",
        columns: [
            "account", "wamid", "phone_number_id", "sender", "sender_country_code", "received_at", "type",
            "has_referral",
        ],
        bind: { i, b in
            b.append(i.account)
            b.append(i.messageId)
            b.append(i.phoneNumberId)
            b.append(i.from)
            b.append(i.fromCountryCode)
            b.append(i.receivedAt)
            b.append(i.type)
            b.append(i.hasReferral)
        },
        decode: { row in
            InboundRecord(
                account: try row[0].decode(String.self), messageId: try row[1].decode(String.self),
                phoneNumberId: try row[2].decode(String?.self), from: try row[3].decode(String?.self),
                fromCountryCode: try row[4].decode(String?.self), receivedAt: try row[5].decode(Int64.self),
                type: try row[6].decode(String?.self), hasReferral: try row[7].decode(Bool.self))
        })
}
