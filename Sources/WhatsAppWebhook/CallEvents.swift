import Foundation

/// Who placed a call (`calls[].direction`).
public enum CallDirection: String, Sendable, Hashable, Comparable {
    /// The business called the user: charged when picked up (reference §7.11).
    case businessInitiated = "BUSINESS_INITIATED"
    /// The user called the business: free.
    case userInitiated = "USER_INITIATED"

    /// Meta's spelling, compared case-insensitively; `nil` for anything else.
    public init?(wire: String) {
        self.init(rawValue: wire.uppercased())
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One `calls[]` item of a `calls` change: an event of a call (`connect`, `terminate`, recording or
/// transcription available, SIP `call_created`). A call's events arrive in any order and may repeat;
/// the ledger joins them per (account, call id).
public struct CallEvent: Sendable, Equatable {
    public var account: String
    public var phoneNumberId: String?
    /// `wacid.…`
    public var callId: String
    /// `connect`, `terminate`, … (kept as sent).
    public var event: String?
    public var timestamp: Int64?
    public var direction: CallDirection?
    /// The user's number: the called number of a business-initiated call, the caller of a
    /// user-initiated one (`nil` for a username user without a number).
    public var userNumber: String?
    /// The user's country from `contacts[].profile.country_code` (the only clue without a number).
    public var userCountryCode: String?
    /// `COMPLETED` or `FAILED` on terminate, upper-cased; other values kept as sent.
    public var status: String?
    /// When the call was picked up and ended, and for how many seconds (only when picked up).
    public var startTime: Int64?
    public var endTime: Int64?
    public var duration: Int64?
    public var errorCode: Int?
    public var callbackData: String?

    public init(
        account: String, phoneNumberId: String?, callId: String, event: String? = nil, timestamp: Int64? = nil,
        direction: CallDirection? = nil, userNumber: String? = nil, userCountryCode: String? = nil,
        status: String? = nil, startTime: Int64? = nil, endTime: Int64? = nil, duration: Int64? = nil,
        errorCode: Int? = nil, callbackData: String? = nil
    ) {
        self.account = account
        self.phoneNumberId = phoneNumberId
        self.callId = callId
        self.event = event
        self.timestamp = timestamp
        self.direction = direction
        self.userNumber = userNumber
        self.userCountryCode = userCountryCode
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.duration = duration
        self.errorCode = errorCode
        self.callbackData = callbackData
    }
}

/// A call status (`statuses[]` with `type: "call"` on the `calls` field: `RINGING`, `ACCEPTED`,
/// `REJECTED`), for business-initiated calls. Never a message status: it only updates its call.
public struct CallStatusEvent: Sendable, Equatable {
    public var account: String
    public var phoneNumberId: String?
    public var callId: String
    /// Upper-cased.
    public var status: String
    public var timestamp: Int64
    /// The called user's number.
    public var recipientId: String?
    public var callbackData: String?

    public init(
        account: String, phoneNumberId: String?, callId: String, status: String, timestamp: Int64,
        recipientId: String? = nil, callbackData: String? = nil
    ) {
        self.account = account
        self.phoneNumberId = phoneNumberId
        self.callId = callId
        self.status = status
        self.timestamp = timestamp
        self.recipientId = recipientId
        self.callbackData = callbackData
    }
}
