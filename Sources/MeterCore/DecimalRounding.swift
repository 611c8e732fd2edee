import Foundation

extension Decimal {
    /// Rounded half away from zero to `places` decimals (money and durations for people).
    public func rounded(places: Int) -> Decimal {
        var value = self
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, places, .plain)
        return rounded
    }
}
