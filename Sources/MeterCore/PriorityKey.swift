/// Orders the statuses of one message for the attributes that must come from a single status
/// (pricing, conversation). Lower wins: delivery-confirming statuses first (the charge happens on
/// delivery, so their pricing is the truth and `sent` pricing only a forecast, reference §3.4), then
/// `sent`, then anything else; within a rank the earliest timestamp. Ties between different values
/// are broken by the values themselves, so the merge is the same whatever order statuses arrive in.
public enum PriorityKey {
    public static func make(rank: StatusRank, timestamp: Int64) -> Int64 {
        Int64(rank.rawValue) << 40 | (max(0, min(timestamp, (1 << 40) - 1)))
    }

    public enum StatusRank: Int {
        case deliveryConfirmed = 0
        case sent = 1
        case other = 2
    }
}

/// Minimum of two optionals where `nil` means "not seen": the join for first-seen timestamps and for
/// attributes every status should agree on (a commutative, associative, idempotent choice).
@inline(__always)
func minSeen<T: Comparable>(_ lhs: T?, _ rhs: T?) -> T? {
    switch (lhs, rhs) {
    case (nil, let value), (let value, nil): value
    case (let left?, let right?): min(left, right)
    }
}

/// Maximum of two optionals where `nil` means "not seen": the join for last-seen times and for
/// values that only grow (a call's end and duration).
@inline(__always)
func maxSeen<T: Comparable>(_ lhs: T?, _ rhs: T?) -> T? {
    switch (lhs, rhs) {
    case (nil, let value), (let value, nil): value
    case (let left?, let right?): max(left, right)
    }
}
