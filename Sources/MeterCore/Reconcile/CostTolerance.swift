import Foundation

/// How far Meta's cost for a cell may be from wameter's before it counts as a difference. Volumes
/// have no tolerance: a message is delivered or not. Meta calls its analytics cost approximate and
/// rounds it to cents, so the default is 1% of the larger figure and never less than 0.01.
public enum CostTolerance: Sendable, Equatable, CustomStringConvertible {
    /// Percent of the larger of the two figures, at least 0.01.
    case relative(Decimal)
    /// An amount in the account's currency (`0` for exact).
    case absolute(Decimal)

    public static let standard = CostTolerance.relative(1)

    /// `1%`, `0.5%` or an amount such as `0.05`; `nil` when it is neither or negative.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let posix = Locale(identifier: "en_US_POSIX")
        if trimmed.hasSuffix("%") {
            guard let percent = Decimal(string: String(trimmed.dropLast()), locale: posix), percent >= 0,
                String(trimmed.dropLast()).allSatisfy({ $0.isNumber || $0 == "." })
            else { return nil }
            self = .relative(percent)
        } else {
            guard let amount = Decimal(string: trimmed, locale: posix), amount >= 0,
                trimmed.allSatisfy({ $0.isNumber || $0 == "." })
            else { return nil }
            self = .absolute(amount)
        }
    }

    public var description: String {
        switch self {
        case .relative(let percent): "\(percent)%"
        case .absolute(let amount): "\(amount)"
        }
    }

    /// Whether two costs differ by more than the tolerance.
    public func differ(_ a: Decimal, _ b: Decimal) -> Bool {
        let gap = abs(a - b)
        switch self {
        case .absolute(let amount):
            return gap > amount
        case .relative(let percent):
            let larger = max(abs(a), abs(b))
            return gap > max(Decimal(string: "0.01")!, larger * percent / 100)
        }
    }
}
