/// A display number a business phone number was seen with in webhooks' `metadata`: Meta's
/// analytics name phone numbers by display number, webhooks by id.
public struct BusinessPhoneNumber: Sendable, Hashable, Comparable {
    public var account: String
    public var phoneNumberId: String
    public var displayNumber: String

    public init(account: String, phoneNumberId: String, displayNumber: String) {
        self.account = account
        self.phoneNumberId = phoneNumberId
        self.displayNumber = displayNumber
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.account, lhs.phoneNumberId, lhs.displayNumber) < (rhs.account, rhs.phoneNumberId, rhs.displayNumber)
    }

    /// The phone number ids `wanted` names: each value as an id, and the ids whose display number has
    /// the same digits (`+1 555-078-3881` names the number shown as `15550783881`), as Meta's
    /// analytics name phone numbers by display number.
    public static func ids(named wanted: Set<String>, in numbers: [BusinessPhoneNumber]) -> Set<String> {
        let digits = Set(wanted.map(Self.digits).filter { !$0.isEmpty })
        return wanted.union(numbers.filter { digits.contains(Self.digits($0.displayNumber)) }.map(\.phoneNumberId))
    }

    static func digits(_ number: String) -> String {
        String(number.unicodeScalars.filter { ("0"..."9").contains($0) })
    }

    /// The display number of each phone number id. An id keeps its number for life (a number moved
    /// elsewhere gets a new id), so several can only be spellings of one; the greatest is shown, so
    /// that the answer never depends on the order rows are read in.
    public static func displayNumbers(_ numbers: [BusinessPhoneNumber]) -> [String: String] {
        var shown: [String: String] = [:]
        for number in numbers where number.displayNumber > shown[number.phoneNumberId] ?? "" {
            shown[number.phoneNumberId] = number.displayNumber
        }
        return shown
    }
}
