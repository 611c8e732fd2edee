import MeterCore
import WhatsAppWebhook

/// The storage-independent half of applying webhooks to the ledger, shared by both backends.
///
/// A backend reads the stored records for the keys a batch touches, hands them to `merge`, and
/// writes back what it returns; the counter changes accumulate here until the backend flushes them.
/// No SQL and no I/O: what differs between SQLite and PostgreSQL is only how records are read,
/// locked and written. Built before the write transaction (it needs no stored state), so that the
/// single writer spends its time only on what needs the database.
struct LedgerBatch: Sendable {
    /// A record's identity: its account and its key within the account (wamid, wamid/member or
    /// conversation id).
    struct Key: Hashable, Comparable, Sendable {
        var account: String
        var id: String

        /// Field by field, without a tuple of copied strings: a bulk load sorts a batch's keys.
        static func < (lhs: Key, rhs: Key) -> Bool {
            lhs.account != rhs.account ? lhs.account < rhs.account : lhs.id < rhs.id
        }
    }

    /// The bodies' status events, joined per message.
    private(set) var messages: [Key: MessageRecord] = [:]
    /// The bodies' inbound messages, joined per message.
    private(set) var inbound: [Key: InboundRecord] = [:]
    /// The bodies' call events and call statuses, joined per call.
    private(set) var calls: [Key: CallRecord] = [:]
    /// Messages sent from the Business app or by the Business Agent, joined per message.
    private(set) var echoes: [Key: EchoRecord] = [:]
    /// Volume-tier announcements (`account_update`), as received.
    private(set) var tierUpdates: [TierUpdate] = []
    /// Business phone numbers' display numbers the bodies show.
    private(set) var phoneNumbers: Set<BusinessPhoneNumber> = []
    /// Every account the bodies name, counted or not, in order of first appearance: each one the
    /// store does not know yet is created (UTC, USD) in the same transaction.
    private(set) var accounts: [String] = []
    /// Event counts; `bodies` and `createdAccounts` are the backend's to fill in.
    var outcome = IngestOutcome()

    private var seenAccounts: Set<String> = []

    init() {}

    /// Joins one body's events into the batch.
    mutating func add(_ events: [WebhookEvent], onPremisesAccount: String) {
        for event in events {
            switch event {
            case .status(let status):
                let account = name(status.account ?? onPremisesAccount)
                let record = MessageRecord(account: account, event: status)
                add(record)
                if let group = record.impliedGroupSend { add(group) }
                outcome.statusEvents += 1
            case .inbound(let message):
                let account = name(message.account ?? onPremisesAccount)
                let record = InboundRecord(account: account, event: message)
                let key = Key(account: account, id: message.messageId)
                inbound[key] = inbound[key].map { $0.join(record) } ?? record
                outcome.inboundMessages += 1
            case .systemError(let error):
                name(error.account ?? onPremisesAccount)
                outcome.systemErrors += 1
            case .accountUpdate(let update):
                name(update.account)
                if let tier = TierUpdate.of(update) { tierUpdates.append(tier) }
                outcome.otherChanges += 1
            case .unhandledChange(let account, _):
                name(account)
                outcome.otherChanges += 1
            case .call(let event):
                add(CallRecord(account: name(event.account), event: event))
                outcome.callEvents += 1
            case .callStatus(let status):
                add(CallRecord(account: name(status.account), status: status))
                outcome.callEvents += 1
            case .echo(let echo):
                let record = EchoRecord(account: name(echo.account), event: echo)
                let key = Key(account: record.account, id: record.messageId)
                echoes[key] = echoes[key].map { $0.join(record) } ?? record
                outcome.echoMessages += 1
            case .phoneNumber(let number):
                // Part of a change already counted by its statuses and messages.
                phoneNumbers.insert(
                    BusinessPhoneNumber(
                        account: name(number.account), phoneNumberId: number.phoneNumberId,
                        displayNumber: number.displayNumber))
            }
        }
    }

    private mutating func add(_ record: MessageRecord) {
        let key = Key(account: record.account, id: record.messageId)
        messages[key] = messages[key].map { $0.join(record) } ?? record
    }

    private mutating func add(_ record: CallRecord) {
        let key = Key(account: record.account, id: record.callId)
        calls[key] = calls[key].map { $0.join(record) } ?? record
    }

    @discardableResult
    private mutating func name(_ account: String) -> String {
        if seenAccounts.insert(account).inserted { accounts.append(account) }
        return account
    }
}

/// Joins deltas with stored records and keeps the rollup counters in step with the records: each
/// record that changes moves the counters by the change in its contributions.
struct LedgerMerger {
    typealias Key = LedgerBatch.Key

    /// Each account's day buckets, in its time zone; the backend fills it before merging.
    var days: [String: DayKeyCache] = [:]
    /// Counter changes not yet written.
    private(set) var rollups: [String: RollupDelta] = [:]
    /// Ledger records (messages, conversations, inbound messages) this merger changed or created.
    private(set) var changedRecords = 0
    /// Counter changes held, one per counter and metric: what `takeRollups` would hand out (the
    /// day counters' changes are derived from them).
    var pendingCounterChanges: Int { rollups.values.reduce(0) { $0 + $1.counts.count } }

    /// A record that a merge changed: what was stored before (if anything) and what is now.
    struct Change<Record: LedgerRecord> {
        var key: Key
        var old: Record?
        var record: Record
    }

    /// The records whose join with the stored one differs from what is stored, joined. `stored`
    /// returns the stored record for a key, if any.
    mutating func merge<Record: LedgerRecord>(
        _ deltas: [Key: Record], stored: (Key) -> Record?
    ) -> [Change<Record>] {
        var changed: [Change<Record>] = []
        changed.reserveCapacity(deltas.count)
        for (key, delta) in deltas {
            let existing = stored(key)
            let merged = existing.map { $0.join(delta) } ?? delta
            if merged == existing { continue }
            moveCounters(key.account, from: existing, to: merged)
            changed.append(Change(key: key, old: existing, record: merged))
        }
        changedRecords += changed.count
        return changed
    }

    /// Replaces a stored record (or none) with a recounted one (or none), moving the counters.
    /// Returns whether anything changed.
    mutating func replace<Record: LedgerRecord>(_ key: Key, stored: Record?, with fresh: Record?) -> Bool {
        if stored == fresh { return false }
        moveCounters(key.account, from: stored, to: fresh)
        changedRecords += 1
        return true
    }

    private mutating func moveCounters<Record: LedgerRecord>(_ account: String, from old: Record?, to new: Record?) {
        guard let days = days[account] else { return }
        rollups[account, default: RollupDelta()].replace(
            old?.contributions(days: days) ?? [], with: new?.contributions(days: days) ?? [])
    }

    /// Counts a record that is already stored as if it were new (when an account's time zone
    /// changes, its counters are rebuilt from its records).
    mutating func count<Record: LedgerRecord>(_ record: Record, account: String) {
        guard let days = days[account] else { return }
        rollups[account, default: RollupDelta()].replace([], with: record.contributions(days: days))
    }

    /// The conversation deltas implied by messages that changed (CBP messages carry their
    /// conversation), joined per conversation, leaving out the conversations in `recounted`.
    static func conversations(
        of messages: [Change<MessageRecord>], except recounted: Set<Key> = []
    ) -> [Key: ConversationRecord] {
        var conversations: [Key: ConversationRecord] = [:]
        for change in messages {
            guard let conversation = ConversationRecord(message: change.record) else { continue }
            let key = Key(account: change.record.account, id: conversation.conversationId)
            if recounted.contains(key) { continue }
            conversations[key] = conversations[key].map { $0.join(conversation) } ?? conversation
        }
        return conversations
    }

    /// The conversations that joining cannot keep right and that must be recounted from their
    /// messages: those a changed message contributed to before and now contributes to less, or not
    /// at all.
    ///
    /// A conversation is the join of what its messages contribute. When a message's contribution
    /// only grows, joining the new one into the stored conversation gives that join again. But a
    /// message can leave a conversation (a later, preferred status names another conversation id)
    /// or contribute less (its preferred pricing changes), and a join cannot take anything away:
    /// the conversation would keep what the message gave it, and the ledger would depend on how the
    /// statuses were grouped into transactions, so a rebuild would disagree with the live ledger.
    static func conversationsToRecount(of messages: [Change<MessageRecord>]) -> Set<Key> {
        var recount: Set<Key> = []
        for change in messages {
            guard let old = change.old, let before = ConversationRecord(message: old) else { continue }
            if let after = ConversationRecord(message: change.record), after.conversationId == before.conversationId,
                before.join(after) == after
            {
                continue
            }
            recount.insert(Key(account: old.account, id: before.conversationId))
        }
        return recount
    }

    /// A conversation as its messages make it now: the join of their contributions, or `nil` when
    /// none contributes any more.
    static func recount(_ key: Key, messages: [MessageRecord]) -> ConversationRecord? {
        var conversation: ConversationRecord?
        for message in messages {
            guard let part = ConversationRecord(message: message), part.conversationId == key.id else { continue }
            conversation = conversation.map { $0.join(part) } ?? part
        }
        return conversation
    }

    /// A counter change: of a day counter (`key.halfHour` 0) or of a half-hour counter.
    typealias CounterChange = (account: String, key: RollupKey, count: Int)

    /// The non-zero counter changes, of the day and of the half-hour counters, and clears them; in
    /// no particular order (`CounterTable.rows` sorts the rows they make where order matters).
    mutating func takeRollups() -> (daily: [CounterChange], halfHourly: [CounterChange]) {
        var daily: [CounterChange] = []
        var halfHourly: [CounterChange] = []
        for (account, delta) in rollups {
            for (key, count) in delta.daily { daily.append((account, key, count)) }
            for (key, count) in delta.nonZero { halfHourly.append((account, key, count)) }
        }
        rollups = [:]
        return (daily, halfHourly)
    }
}
