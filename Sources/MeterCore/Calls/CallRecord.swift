import Foundation
import WhatsAppWebhook

/// A voice call as the ledger keeps it: the join of every event and status received for one
/// (account, call id), in any order and any number of times (Meta guarantees neither). Like the
/// message records, `join` is commutative, associative and idempotent, so the record does not
/// depend on how deliveries were grouped or ordered, and a rebuild gives the live ledger back.
public struct CallRecord: Sendable, Equatable {
    public var account: String
    /// `wacid.…`
    public var callId: String
    public var phoneNumberId: String?
    /// From a `calls[]` event; call statuses do not say (they are only sent for business-initiated
    /// calls, but a call is never charged on that inference alone).
    public var direction: CallDirection?
    /// The user's number (called or calling), and the country of its contact.
    public var userNumber: String?
    public var userCountryCode: String?
    /// The earliest timestamp of any event or status of the call.
    public var firstEventAt: Int64?
    /// When it was picked up and ended, and for how long (seconds); only for answered calls.
    public var startTime: Int64?
    public var endTime: Int64?
    public var duration: Int64?
    /// The terminate event's status (`COMPLETED`, `FAILED`).
    public var outcome: String?
    /// The furthest call status (`RINGING` < `ACCEPTED` < `REJECTED`).
    public var progress: String?
    public var errorCode: Int?
    public var callbackData: String?

    public init(
        account: String, callId: String, phoneNumberId: String? = nil, direction: CallDirection? = nil,
        userNumber: String? = nil, userCountryCode: String? = nil, firstEventAt: Int64? = nil,
        startTime: Int64? = nil, endTime: Int64? = nil, duration: Int64? = nil, outcome: String? = nil,
        progress: String? = nil, errorCode: Int? = nil, callbackData: String? = nil
    ) {
        self.account = account
        self.callId = callId
        self.phoneNumberId = phoneNumberId
        self.direction = direction
        self.userNumber = userNumber
        self.userCountryCode = userCountryCode
        self.firstEventAt = firstEventAt
        self.startTime = startTime
        self.endTime = endTime
        self.duration = duration
        self.outcome = outcome
        self.progress = progress
        self.errorCode = errorCode
        self.callbackData = callbackData
    }

    public init(account: String, event: CallEvent) {
        self.init(
            account: account, callId: event.callId, phoneNumberId: event.phoneNumberId, direction: event.direction,
            userNumber: event.userNumber, userCountryCode: event.userCountryCode, firstEventAt: event.timestamp,
            startTime: event.startTime, endTime: event.endTime, duration: event.duration,
            outcome: event.event == "terminate" ? event.status : nil, errorCode: event.errorCode,
            callbackData: event.callbackData)
    }

    public init(account: String, status: CallStatusEvent) {
        self.init(
            account: account, callId: status.callId, phoneNumberId: status.phoneNumberId,
            userNumber: status.recipientId, firstEventAt: status.timestamp, progress: status.status,
            callbackData: status.callbackData)
    }

    public func join(_ other: CallRecord) -> CallRecord {
        var merged = self
        merged.phoneNumberId = minSeen(phoneNumberId, other.phoneNumberId)
        merged.direction = minSeen(direction, other.direction)
        merged.userNumber = minSeen(userNumber, other.userNumber)
        merged.userCountryCode = minSeen(userCountryCode, other.userCountryCode)
        merged.firstEventAt = minSeen(firstEventAt, other.firstEventAt)
        merged.startTime = minSeen(startTime, other.startTime)
        merged.endTime = maxSeen(endTime, other.endTime)
        merged.duration = maxSeen(duration, other.duration)
        // A terminate says FAILED or COMPLETED once; if duplicates ever disagree, FAILED (which is
        // flagged) wins, and "F" > "C" makes that the larger string.
        merged.outcome = maxSeen(outcome, other.outcome)
        merged.progress = [progress, other.progress].compactMap { $0 }.max {
            (Self.progressRank($0), $0) < (Self.progressRank($1), $1)
        }
        merged.errorCode = minSeen(errorCode, other.errorCode)
        merged.callbackData = minSeen(callbackData, other.callbackData)
        return merged
    }

    private static func progressRank(_ status: String) -> Int {
        switch status {
        case "RINGING": 1
        case "ACCEPTED": 2
        case "REJECTED": 3
        default: 0
        }
    }

    /// The time that places the call in a billing month: when it was picked up, else its first
    /// event (Meta does not say which; reference §7.11).
    public var placedAt: Int64? { startTime ?? firstEventAt }

    /// The ISO country the call is rated by: the user's number's calling code, else the contact's
    /// country, else `""`.
    public var country: String { RecipientCountry.of(number: userNumber, countryCode: userCountryCode) }

    /// Picked up: Meta sends a duration only then.
    public var isAnswered: Bool { (duration ?? 0) > 0 }

    /// Business-initiated and picked up (user-initiated calls are free).
    public var isCharged: Bool { direction == .businessInitiated && isAnswered }

    /// Terminated as `FAILED` yet with a duration: charged, as the duration says it was picked up,
    /// but Meta does not document it, so reports flag it.
    public var failedWithDuration: Bool { outcome == "FAILED" && isAnswered }

    /// Six-second pulses billed (0 unless charged).
    public var pulses: Int64 { isCharged ? CallCharging.pulses(seconds: duration ?? 0) : 0 }
}

extension CallRecord: LedgerRecord {
    /// Calls add to no counter: reports and insights read them from their own table (a month has
    /// few of them next to messages, and their price depends on the order of the portfolio's calls).
    public func contributions(days: DayKeyCache) -> [RollupKey] { [] }
}
