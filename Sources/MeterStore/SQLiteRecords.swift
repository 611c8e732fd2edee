import Foundation
import GRDB
import MeterCore
import WhatsAppWebhook

/// How ledger records, accounts and rates map to SQLite rows, both ways. Column lists are read by
/// index, in their order: looking columns up by name costs more than the rest of the row decoding
/// on the ingest path.
enum SQLiteRecords {
    // MARK: - Messages

    /// Binds a message's columns in `messageColumns` order (directly: `SQLiteDirectBinding`).
    static func bind(_ m: MessageRecord, _ b: inout SQLiteBindings) {
        b.bind(
            m.account, m.messageId, m.phoneNumberId, m.recipientId, m.recipientParticipantId, m.recipientUserId,
            m.recipientCountryCode, m.isGroup, m.callbackData, m.sentAt, m.deliveredAt, m.readAt, m.failedAt,
            m.errorCode, m.pricing?.pricingModel, m.pricing?.type, m.pricing?.category, m.pricing?.billable,
            m.pricing?.subtype, m.pricingKey, m.costAmount.map(StoredDecimal.text), m.costCurrency, m.costAt,
            m.conversationId, m.conversationOrigin, m.conversationExpiresAt, m.conversationKey)
    }

    /// Column order shared by the message SELECT, INSERT and `message(from:)`, which reads by index:
    /// looking columns up by name costs more than the rest of the row decoding on the ingest path.
    static let messageColumns = """
        account, wamid, phone_number_id, recipient_id, recipient_participant_id, recipient_user_id, \
        recipient_country_code, is_group, callback_data, sent_at, delivered_at, read_at, failed_at, \
        error_code, pricing_model, pricing_type, pricing_category, pricing_billable, pricing_subtype, \
        pricing_key, cost_amount, cost_currency, cost_at, conversation_id, conversation_origin, \
        conversation_expires_at, conversation_key
        """

    static func message(from row: Row, offset o: Int = 0) -> MessageRecord {
        var m = MessageRecord(account: row[o + 0], messageId: row[o + 1])
        m.phoneNumberId = row[o + 2]
        m.recipientId = row[o + 3]
        m.recipientParticipantId = row[o + 4]
        m.recipientUserId = row[o + 5]
        m.recipientCountryCode = row[o + 6]
        m.isGroup = row[o + 7]
        m.callbackData = row[o + 8]
        m.sentAt = row[o + 9]
        m.deliveredAt = row[o + 10]
        m.readAt = row[o + 11]
        m.failedAt = row[o + 12]
        m.errorCode = row[o + 13]
        if let key: Int64 = row[o + 19] {
            // Built directly: PricingInfo's initialiser would normalise again, and stored values
            // are already normalised.
            var pricing = PricingInfo()
            pricing.pricingModel = row[o + 14]
            pricing.type = row[o + 15]
            pricing.category = row[o + 16]
            pricing.billable = row[o + 17]
            pricing.subtype = row[o + 18]
            m.pricing = pricing
            m.pricingKey = key
        }
        if let amount: String = row[o + 20] {
            m.costAmount = StoredDecimal.value(amount)
            m.costCurrency = row[o + 21]
            m.costAt = row[o + 22]
        }
        m.conversationId = row[o + 23]
        m.conversationOrigin = row[o + 24]
        m.conversationExpiresAt = row[o + 25]
        m.conversationKey = row[o + 26]
        return m
    }

    // MARK: - Conversations

    static func bind(_ c: ConversationRecord, _ b: inout SQLiteBindings) {
        b.bind(
            c.account, c.conversationId, c.firstSentAt, c.firstDeliveredAt, c.category, c.categoryKey,
            c.recipientNumber, c.recipientCountryCode, c.isFreeEntryPoint, c.phoneNumberId)
    }

    static let conversationColumns = """
        account, conversation_id, first_sent_at, first_delivered_at, category, category_key, recipient_number, \
        recipient_country_code, is_free_entry_point, phone_number_id
        """

    static func conversation(from row: Row, offset o: Int = 0) -> ConversationRecord {
        var c = ConversationRecord(account: row[o + 0], conversationId: row[o + 1])
        c.firstSentAt = row[o + 2]
        c.firstDeliveredAt = row[o + 3]
        c.category = row[o + 4]
        c.categoryKey = row[o + 5]
        c.recipientNumber = row[o + 6]
        c.recipientCountryCode = row[o + 7]
        c.isFreeEntryPoint = row[o + 8]
        c.phoneNumberId = row[o + 9]
        return c
    }

    // MARK: - Inbound messages

    static func bind(_ i: InboundRecord, _ b: inout SQLiteBindings) {
        b.bind(i.account, i.messageId, i.phoneNumberId, i.from, i.fromCountryCode, i.receivedAt, i.type, i.hasReferral)
    }

    static func bind(_ c: CallRecord, _ b: inout SQLiteBindings) {
        b.bind(
            c.account, c.callId, c.phoneNumberId, c.direction?.rawValue, c.userNumber, c.userCountryCode,
            c.firstEventAt, c.startTime, c.endTime, c.duration, c.outcome, c.progress, c.errorCode, c.callbackData,
            c.placedAt)
    }

    /// The columns of a call, `placed_at` last (derived: what month queries select on).
    static let callColumns =
        "account, call_id, phone_number_id, direction, user_number, user_country_code, first_event_at, start_time, "
        + "end_time, duration, outcome, progress, error_code, callback_data, placed_at"

    static func call(from row: Row, offset o: Int = 0) -> CallRecord {
        CallRecord(
            account: row[o], callId: row[o + 1], phoneNumberId: row[o + 2],
            direction: (row[o + 3] as String?).flatMap(CallDirection.init(rawValue:)), userNumber: row[o + 4],
            userCountryCode: row[o + 5], firstEventAt: row[o + 6], startTime: row[o + 7], endTime: row[o + 8],
            duration: row[o + 9], outcome: row[o + 10], progress: row[o + 11], errorCode: row[o + 12],
            callbackData: row[o + 13])
    }

    static func bind(_ e: EchoRecord, _ b: inout SQLiteBindings) {
        b.bind(e.account, e.messageId, e.phoneNumberId, e.to, e.toCountryCode, e.sentAt, e.type, e.sender.rawValue)
    }

    static let echoColumns =
        "account, wamid, phone_number_id, recipient, recipient_country_code, sent_at, type, sender"

    static func echo(from row: Row, offset o: Int = 0) -> EchoRecord {
        EchoRecord(
            account: row[o], messageId: row[o + 1], phoneNumberId: row[o + 2], to: row[o + 3],
            toCountryCode: row[o + 4], sentAt: row[o + 5], type: row[o + 6],
            sender: EchoSender(rawValue: row[o + 7]) ?? .app)
    }

    static let inboundColumns =
        "account, wamid, phone_number_id, sender, sender_country_code, received_at, type, has_referral"

    static func inbound(from row: Row, offset o: Int = 0) -> InboundRecord {
        InboundRecord(
            account: row[o], messageId: row[o + 1], phoneNumberId: row[o + 2], from: row[o + 3],
            fromCountryCode: row[o + 4], receivedAt: row[o + 5], type: row[o + 6], hasReferral: row[o + 7])
    }

    // MARK: - Accounts, rates and tier updates

    static let accountColumns = "id, name, timezone, currency, portfolio, auto_created"

    static func account(from row: Row) -> Account {
        Account(
            id: row[0], name: row[1], timezone: row[2], currency: row[3], portfolio: row[4], autoCreated: row[5])
    }

    static let rateColumns = "effective_from, currency, market, category, rate"

    static func rateEntry(from row: Row) -> RateEntry {
        RateEntry(
            effectiveFrom: row[0], currency: row[1], market: row[2], category: row[3],
            rate: StoredDecimal.rate(row[4]))
    }

    static let rateCardColumns = "currency, effective_from, product, kind, imported_at"

    static func rateCard(from row: Row) -> ImportedRateCardInfo {
        ImportedRateCardInfo(
            currency: row[0], effectiveFrom: row[1], product: RateCardEdition.Product(rawValue: row[2]) ?? .messaging,
            kind: RateCardEdition.Kind(rawValue: row[3]) ?? .whole, importedAt: row[4])
    }

    static let tierColumns = "effective_from, currency, market, category, volume_from, volume_to, rate"

    static func tierEntry(from row: Row) -> TierEntry {
        TierEntry(
            effectiveFrom: row[0], currency: row[1], market: row[2], category: row[3], volumeFrom: row[4],
            volumeTo: row[5], rate: StoredDecimal.rate(row[6]))
    }

    static let tierUpdateColumns = "account, effective_month, region, pricing_category, tier, tier_update_time"

    static func tierUpdate(from row: Row) -> TierUpdate {
        TierUpdate(
            account: row[0], effectiveMonth: row[1], region: row[2], pricingCategory: row[3], tier: row[4],
            updatedAt: row[5])
    }
}
