import Foundation
import GRDB
import MeterCore
import WhatsAppWebhook

/// Applies decoded events to the ledger tables inside one write transaction.
///
/// The merge rules live in MeterCore (`MessageRecord.join` and friends); this type only loads the
/// current records for the keys a batch touches, joins, writes back what changed, and moves the
/// rollup counters by the change in each record's contributions.
struct SQLiteLedgerWriter {
    let db: Database
    private var calendars: [String: DayKeyCache] = [:]
    private var rollups: [String: RollupDelta] = [:]
    var outcome = IngestOutcome()

    init(db: Database) {
        self.db = db
    }

    private struct Key: Hashable {
        var account: String
        var id: String
    }

    /// Applies the events of bodies that were just archived (or are being replayed).
    mutating func apply(_ bodies: [(events: [WebhookEvent], onPremisesAccount: String)]) throws {
        var messages: [Key: MessageRecord] = [:]
        var inbound: [Key: InboundRecord] = [:]
        for body in bodies {
            for event in body.events {
                switch event {
                case .status(let status):
                    let account = status.account ?? body.onPremisesAccount
                    let record = MessageRecord(account: account, event: status)
                    let key = Key(account: account, id: status.messageId)
                    messages[key] = messages[key].map { $0.join(record) } ?? record
                    outcome.statusEvents += 1
                case .inbound(let message):
                    let account = message.account ?? body.onPremisesAccount
                    let record = InboundRecord(account: account, event: message)
                    let key = Key(account: account, id: message.messageId)
                    inbound[key] = inbound[key].map { $0.join(record) } ?? record
                    outcome.inboundMessages += 1
                case .systemError(let error):
                    _ = try calendar(for: error.account ?? body.onPremisesAccount)
                    outcome.systemErrors += 1
                case .accountUpdate(let update):
                    _ = try calendar(for: update.account)
                    outcome.otherChanges += 1
                case .unhandledChange(let account, _):
                    _ = try calendar(for: account)
                    outcome.otherChanges += 1
                }
            }
        }

        var conversations: [Key: ConversationRecord] = [:]
        for (key, delta) in messages {
            let existing = try loadMessage(key)
            let merged = existing.map { $0.join(delta) } ?? delta
            if merged == existing { continue }
            try saveMessage(merged)
            var days = try calendar(for: key.account)
            rollups[key.account, default: RollupDelta()].replace(
                existing.map { Contributions.of($0, days: &days) } ?? [], with: Contributions.of(merged, days: &days))
            calendars[key.account] = days
            if let conversation = ConversationRecord(message: merged) {
                let conversationKey = Key(account: key.account, id: conversation.conversationId)
                conversations[conversationKey] =
                    conversations[conversationKey].map { $0.join(conversation) } ?? conversation
            }
        }
        for (key, delta) in conversations {
            let existing = try loadConversation(key)
            let merged = existing.map { $0.join(delta) } ?? delta
            if merged == existing { continue }
            try saveConversation(merged)
            var days = try calendar(for: key.account)
            rollups[key.account, default: RollupDelta()].replace(
                existing.map { Contributions.of($0, days: &days) } ?? [], with: Contributions.of(merged, days: &days))
            calendars[key.account] = days
        }
        for (key, delta) in inbound {
            let existing = try loadInbound(key)
            let merged = existing.map { $0.join(delta) } ?? delta
            if merged == existing { continue }
            try saveInbound(merged)
            var days = try calendar(for: key.account)
            rollups[key.account, default: RollupDelta()].replace(
                existing.map { Contributions.of($0, days: &days) } ?? [], with: Contributions.of(merged, days: &days))
            calendars[key.account] = days
        }
    }

    /// Writes the accumulated counter changes. Call once, at the end of the transaction.
    mutating func flushRollups() throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO rollups (account, day, metric, category, country, count) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (account, day, metric, category, country) DO UPDATE SET count = count + excluded.count
                """)
        // A cell that went back to zero (a delivery moved to an earlier day) is removed, so the table
        // holds exactly the non-zero sums. Only cells that went down can have reached zero.
        let prune = try db.cachedStatement(
            sql: """
                DELETE FROM rollups
                WHERE account = ? AND day = ? AND metric = ? AND category = ? AND country = ? AND count = 0
                """)
        for (account, delta) in rollups {
            for (key, count) in delta.nonZero {
                try statement.execute(arguments: [
                    account, key.day, key.metric.rawValue, key.category, key.country, count,
                ])
                if count < 0 {
                    try prune.execute(arguments: [account, key.day, key.metric.rawValue, key.category, key.country])
                }
            }
        }
        rollups = [:]
    }

    /// Adds the contributions of records already stored (used when an account's time zone changes).
    mutating func addContributions(of account: String) throws {
        var days = try calendar(for: account)
        let messages = try Row.fetchCursor(
            db, sql: "SELECT \(Self.messageColumns) FROM messages WHERE account = ?", arguments: [account])
        while let row = try messages.next() {
            rollups[account, default: RollupDelta()].replace(
                [], with: Contributions.of(Self.message(from: row), days: &days))
        }
        let conversations = try Row.fetchCursor(
            db, sql: "SELECT \(Self.conversationColumns) FROM conversations WHERE account = ?", arguments: [account])
        while let row = try conversations.next() {
            rollups[account, default: RollupDelta()].replace(
                [], with: Contributions.of(Self.conversation(from: row), days: &days))
        }
        let inbound = try Row.fetchCursor(
            db, sql: "SELECT \(Self.inboundColumns) FROM inbound_messages WHERE account = ?", arguments: [account])
        while let row = try inbound.next() {
            rollups[account, default: RollupDelta()].replace(
                [], with: Contributions.of(Self.inbound(from: row), days: &days))
        }
        calendars[account] = days
    }

    // MARK: - Accounts

    /// The account's day cache; creates the account (UTC, USD) when a webhook names it first.
    private mutating func calendar(for account: String) throws -> DayKeyCache {
        if let cache = calendars[account] { return cache }
        let zone = try String.fetchOne(db, sql: "SELECT timezone FROM accounts WHERE id = ?", arguments: [account])
        let calendar: BillingCalendar
        if let zone {
            calendar = BillingCalendar(timezoneIdentifier: zone) ?? .utc
        } else {
            let placeholder = Account.placeholder(id: account)
            try db.execute(
                sql: "INSERT INTO accounts (id, timezone, currency, auto_created) VALUES (?, ?, ?, 1)",
                arguments: [placeholder.id, placeholder.timezone, placeholder.currency])
            outcome.createdAccounts.append(account)
            calendar = .utc
        }
        let cache = DayKeyCache(calendar: calendar)
        calendars[account] = cache
        return cache
    }

    // MARK: - Messages

    private func loadMessage(_ key: Key) throws -> MessageRecord? {
        let statement = try db.cachedStatement(
            sql: "SELECT \(Self.messageColumns) FROM messages WHERE account = ? AND wamid = ?")
        return try Row.fetchOne(statement, arguments: [key.account, key.id]).map(Self.message(from:))
    }

    private func saveMessage(_ m: MessageRecord) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO messages (\(Self.messageColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        try statement.execute(arguments: [
            m.account, m.messageId, m.phoneNumberId, m.recipientId, m.recipientParticipantId, m.recipientUserId,
            m.recipientCountryCode, m.isGroup, m.callbackData, m.sentAt, m.deliveredAt, m.readAt, m.failedAt,
            m.errorCode, m.pricing?.pricingModel, m.pricing?.type, m.pricing?.category, m.pricing?.billable,
            m.pricing?.subtype, m.pricingKey, m.costAmount.map { "\($0)" }, m.costCurrency, m.costAt, m.conversationId,
            m.conversationOrigin, m.conversationExpiresAt, m.conversationKey,
        ])
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

    static func message(from row: Row) -> MessageRecord {
        var m = MessageRecord(account: row[0], messageId: row[1])
        m.phoneNumberId = row[2]
        m.recipientId = row[3]
        m.recipientParticipantId = row[4]
        m.recipientUserId = row[5]
        m.recipientCountryCode = row[6]
        m.isGroup = row[7]
        m.callbackData = row[8]
        m.sentAt = row[9]
        m.deliveredAt = row[10]
        m.readAt = row[11]
        m.failedAt = row[12]
        m.errorCode = row[13]
        if let key: Int64 = row[19] {
            // Built directly: PricingInfo's initialiser would normalise again, and stored values
            // are already normalised.
            var pricing = PricingInfo()
            pricing.pricingModel = row[14]
            pricing.type = row[15]
            pricing.category = row[16]
            pricing.billable = row[17]
            pricing.subtype = row[18]
            m.pricing = pricing
            m.pricingKey = key
        }
        if let amount: String = row[20] {
            m.costAmount = Decimal(string: amount, locale: Locale(identifier: "en_US_POSIX"))
            m.costCurrency = row[21]
            m.costAt = row[22]
        }
        m.conversationId = row[23]
        m.conversationOrigin = row[24]
        m.conversationExpiresAt = row[25]
        m.conversationKey = row[26]
        return m
    }

    // MARK: - Conversations

    private func loadConversation(_ key: Key) throws -> ConversationRecord? {
        let statement = try db.cachedStatement(
            sql: "SELECT \(Self.conversationColumns) FROM conversations WHERE account = ? AND conversation_id = ?")
        return try Row.fetchOne(statement, arguments: [key.account, key.id]).map(Self.conversation(from:))
    }

    private func saveConversation(_ c: ConversationRecord) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO conversations (\(Self.conversationColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        try statement.execute(arguments: [
            c.account, c.conversationId, c.firstSentAt, c.firstDeliveredAt, c.category, c.categoryKey,
            c.recipientNumber, c.recipientCountryCode, c.isFreeEntryPoint,
        ])
    }

    static let conversationColumns = """
        account, conversation_id, first_sent_at, first_delivered_at, category, category_key, recipient_number, \
        recipient_country_code, is_free_entry_point
        """

    static func conversation(from row: Row) -> ConversationRecord {
        var c = ConversationRecord(account: row[0], conversationId: row[1])
        c.firstSentAt = row[2]
        c.firstDeliveredAt = row[3]
        c.category = row[4]
        c.categoryKey = row[5]
        c.recipientNumber = row[6]
        c.recipientCountryCode = row[7]
        c.isFreeEntryPoint = row[8]
        return c
    }

    // MARK: - Inbound messages

    private func loadInbound(_ key: Key) throws -> InboundRecord? {
        let statement = try db.cachedStatement(
            sql: "SELECT \(Self.inboundColumns) FROM inbound_messages WHERE account = ? AND wamid = ?")
        return try Row.fetchOne(statement, arguments: [key.account, key.id]).map(Self.inbound(from:))
    }

    private func saveInbound(_ i: InboundRecord) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO inbound_messages (\(Self.inboundColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
        try statement.execute(arguments: [
            i.account, i.messageId, i.phoneNumberId, i.from, i.fromCountryCode, i.receivedAt, i.type, i.hasReferral,
        ])
    }

    static let inboundColumns =
        "account, wamid, phone_number_id, sender, sender_country_code, received_at, type, has_referral"

    static func inbound(from row: Row) -> InboundRecord {
        InboundRecord(
            account: row[0], messageId: row[1], phoneNumberId: row[2], from: row[3], fromCountryCode: row[4],
            receivedAt: row[5], type: row[6], hasReferral: row[7])
    }
}
