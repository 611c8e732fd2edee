/// What a rollup row counts. Raw values are stored in the database: never renumber.
public enum RollupMetric: Int, Sendable, CaseIterable {
    case messageSent = 1
    case messageDelivered = 2
    case messageRead = 3
    /// Failed and never delivered, on the day of the failure.
    case messageFailed = 4
    case messageReceived = 5
    /// Charged per message (per-message pricing, or NBP notifications), on the delivery day.
    case messageCharged = 6
    /// Delivered free in a free entry point window (`pricing.type: free_entry_point`), on the
    /// delivery day: the insights' pricing type.
    case messageFreeEntryPoint = 7
    /// Delivered free as customer service (`free_customer_service`, `free_group_customer_service`),
    /// on the delivery day.
    case messageFreeCustomerService = 8
    /// Sent from the WhatsApp Business app on a coexistence number (free), on the day it was sent.
    case messageAppSent = 12
    /// Sent by Meta's Business Agent (echoes on `standby`), on the day it was sent.
    case messageAgentSent = 13
    case conversationDelivered = 10
    /// Delivered and not a free entry point; the month's free tier is taken off at report time,
    /// because "the first 1,000" depends on the order of every conversation in the month.
    case conversationBillable = 11
}

/// One counter cell: account-local day × metric × business phone number × category × recipient
/// country, and, in the half-hour counters, the half-hour of the day.
public struct RollupKey: Sendable, Hashable {
    public var day: DayKey
    public var metric: RollupMetric
    public var category: String
    /// ISO country, `ZZ` for an unlisted calling code, `""` when unknown.
    public var country: String
    /// The business phone number's id (`metadata.phone_number_id`), `""` when no webhook named it.
    public var phone: String
    /// The UTC epoch second at which the counted event's half-hour starts (a multiple of 1,800);
    /// 0 in the day counters, which sum every half-hour of the day.
    public var halfHour: Int64

    public init(
        day: DayKey, metric: RollupMetric, category: String, country: String, phone: String = "", halfHour: Int64 = 0
    ) {
        self.day = day
        self.metric = metric
        self.category = category
        self.country = country
        self.phone = phone
        self.halfHour = halfHour
    }

    /// The day counter this half-hour counter adds to.
    public var daily: RollupKey {
        var key = self
        key.halfHour = 0
        return key
    }

    /// The start of the half-hour an instant falls in (UTC epoch seconds; every time zone's offset
    /// is a multiple of 15 minutes, so a half-hour is one local half-hour, or, at a 45-minute offset,
    /// two halves of neighbouring ones, each counted on its own local day).
    public static func halfHour(of epochSeconds: Int64) -> Int64 {
        let remainder = epochSeconds % 1_800
        return epochSeconds - (remainder < 0 ? remainder + 1_800 : remainder)
    }
}

/// A ledger record: merged with `join` (commutative, associative, idempotent), and counted in the
/// rollups through its contributions. Messages, conversations and inbound messages are all kept the
/// same way, so the store has one merge loop for all three.
public protocol LedgerRecord: Equatable, Sendable {
    func join(_ other: Self) -> Self
    func contributions(days: DayKeyCache) -> [RollupKey]
}

extension MessageRecord: LedgerRecord {
    public func contributions(days: DayKeyCache) -> [RollupKey] { Contributions.of(self, days: days) }
}

extension ConversationRecord: LedgerRecord {
    public func contributions(days: DayKeyCache) -> [RollupKey] { Contributions.of(self, days: days) }
}

extension InboundRecord: LedgerRecord {
    public func contributions(days: DayKeyCache) -> [RollupKey] { Contributions.of(self, days: days) }
}

/// The counters each ledger record adds to. Rollups are maintained as "new contributions minus old
/// contributions" whenever a record changes, so they always equal the sum over the current records:
/// as order-free as the records themselves, and rebuildable from them.
public enum Contributions {
    public static func of(_ message: MessageRecord, days: DayKeyCache) -> [RollupKey] {
        var keys: [RollupKey] = []
        let category = message.category
        let country = message.recipientCountry
        let phone = message.phoneNumberId ?? ""
        func add(_ at: Int64?, _ metric: RollupMetric) {
            guard let at else { return }
            keys.append(
                RollupKey(
                    day: days.day(of: at), metric: metric, category: category, country: country, phone: phone,
                    halfHour: RollupKey.halfHour(of: at)))
        }
        // A group message is sent once; its per-member deliveries are records of their own.
        if message.recipientParticipantId == nil { add(message.effectiveSentAt, .messageSent) }
        add(message.deliveredAt, .messageDelivered)
        add(message.readAt, .messageRead)
        if message.deliveredAt == nil { add(message.failedAt, .messageFailed) }
        if PricingRules.isChargedMessage(message) {
            add(message.deliveredAt, .messageCharged)
        } else if let free = PricingRules.freeMessageType(message) {
            switch free {
            case .freeEntryPoint: add(message.deliveredAt, .messageFreeEntryPoint)
            case .freeCustomerService: add(message.deliveredAt, .messageFreeCustomerService)
            }
        }
        return keys
    }

    public static func of(_ conversation: ConversationRecord, days: DayKeyCache) -> [RollupKey] {
        guard let delivered = conversation.firstDeliveredAt else { return [] }
        let day = days.day(of: delivered)
        let halfHour = RollupKey.halfHour(of: delivered)
        let category = conversation.category ?? "unknown"
        let country = RecipientCountry.of(
            number: conversation.recipientNumber, countryCode: conversation.recipientCountryCode)
        let phone = conversation.phoneNumberId ?? ""
        var keys = [
            RollupKey(
                day: day, metric: .conversationDelivered, category: category, country: country, phone: phone,
                halfHour: halfHour)
        ]
        if conversation.isBillable {
            keys.append(
                RollupKey(
                    day: day, metric: .conversationBillable, category: category, country: country, phone: phone,
                    halfHour: halfHour))
        }
        return keys
    }

    public static func of(_ inbound: InboundRecord, days: DayKeyCache) -> [RollupKey] {
        let country = RecipientCountry.of(number: inbound.from, countryCode: inbound.fromCountryCode)
        return [
            RollupKey(
                day: days.day(of: inbound.receivedAt), metric: .messageReceived, category: "", country: country,
                phone: inbound.phoneNumberId ?? "", halfHour: RollupKey.halfHour(of: inbound.receivedAt))
        ]
    }
}

/// Accumulates rollup deltas for a batch, by half-hour; only non-zero cells are written, to the
/// half-hour counters and, summed over each day, to the day counters.
public struct RollupDelta: Sendable {
    /// By half-hour counter.
    public private(set) var counts: [RollupKey: Int] = [:]

    public init() {}

    public mutating func replace(_ old: [RollupKey], with new: [RollupKey]) {
        if old == new { return }
        for key in old { counts[key, default: 0] -= 1 }
        for key in new { counts[key, default: 0] += 1 }
    }

    /// The half-hour counters' changes.
    public var nonZero: [(key: RollupKey, count: Int)] {
        counts.compactMap { $0.value == 0 ? nil : ($0.key, $0.value) }
    }

    /// The day counters' changes: the half-hour changes summed per day (a delivery that moved
    /// within its day changes two half-hour counters and no day counter).
    public var daily: [(key: RollupKey, count: Int)] {
        var days: [RollupKey: Int] = [:]
        days.reserveCapacity(counts.count)
        for (key, count) in counts where count != 0 { days[key.daily, default: 0] += count }
        return days.compactMap { $0.value == 0 ? nil : ($0.key, $0.value) }
    }
}

/// One stored counter cell, as the store returns it.
public struct RollupRow: Sendable, Equatable {
    public var key: RollupKey
    public var count: Int

    public init(key: RollupKey, count: Int) {
        self.key = key
        self.count = count
    }
}
