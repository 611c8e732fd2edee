import Foundation

/// The one JSON encoding of everything wameter writes (report JSON, API answers, error bodies):
/// keys sorted and indented so that equal values give equal bytes and a person can read them, and
/// `/` left unescaped (time zones are `Asia/Kolkata`, not `Asia\/Kolkata`).
public enum WireJSON {
    /// A new encoder so configured (`JSONEncoder` is a class; callers may not share one across
    /// threads while changing it, so each gets its own).
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// `value` encoded. Every wire type is plain strings, numbers and optionals, so this cannot fail.
    public static func encode(_ value: some Encodable) -> Data {
        try! encoder().encode(value)
    }
}
