/// What `upsertAccount` changed.
public enum AccountChange: Sendable, Equatable {
    case created
    case updated(timezoneChanged: Bool)
    case unchanged

    /// What storing `account` (already `filled(from:)` the existing one) over `existing` changes.
    /// Adding an account a webhook created is an update even when nothing else differs.
    public static func of(storing account: Account, over existing: Account?) -> AccountChange {
        guard var previous = existing else { return .created }
        var stored = account
        stored.autoCreated = false
        previous.autoCreated = false
        return stored == previous ? .unchanged : .updated(timezoneChanged: previous.timezone != stored.timezone)
    }
}

extension Account {
    /// An update as it is stored: a name or portfolio it leaves out keeps the stored one.
    public func filled(from existing: Account?) -> Account {
        var account = self
        account.name = name ?? existing?.name
        account.portfolio = portfolio ?? existing?.portfolio
        return account
    }
}
