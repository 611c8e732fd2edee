import Foundation

/// Money in tests is written as the report prints it (`cost: "0.0118"`), never as a float literal,
/// which `Decimal` would take through `Double` and round.
extension Decimal: @retroactive ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        guard let decimal = Decimal(string: value, locale: Locale(identifier: "en_US_POSIX")) else {
            preconditionFailure("not a decimal literal: \(value)")
        }
        self = decimal
    }
}
