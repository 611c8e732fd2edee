import Foundation

/// Rates and costs are stored as decimal text (both backends), written from a `Decimal`'s
/// description, so no binary floating point ever touches money.
enum StoredDecimal {
    static func text(_ value: Decimal) -> String { "\(value)" }

    /// The stored text's value, or `nil` for text this store did not write.
    static func value(_ text: String) -> Decimal? {
        Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// A stored rate: text this store did not write reads as 0.
    static func rate(_ text: String) -> Decimal { value(text) ?? 0 }
}
