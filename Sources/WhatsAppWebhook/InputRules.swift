import Foundation

/// What wameter accepts in the fields it reads from a webhook body, and in the ids a user types.
/// Every limit is defined here once; `docs/input.md` lists them with the reason for each.
///
/// The rules exist because every value that becomes a key (an account, a wamid, a category, a
/// country) is compared twice: by Swift in the in-memory merge and by the database in its unique
/// indexes. Swift compares `String`s by canonical equivalence, SQLite and PostgreSQL by bytes, and
/// SQLite's C API stops at a NUL. Keys limited to printable ASCII have one byte form, so both
/// comparisons always agree, and a body can never make the merge and the database disagree.
public enum InputRules {
    /// Earliest timestamp accepted: 2009-01-01T00:00:00Z, before WhatsApp existed.
    public static let earliestTimestamp: Int64 = 1_230_768_000
    /// First timestamp refused: 2100-01-01T00:00:00Z. Far enough for any real clock, and far below
    /// the values that overflow calendar arithmetic.
    public static let timestampLimit: Int64 = 4_102_444_800
    /// Account (WABA) and phone number ids: Meta sends digits; letters, `.`, `_` and `-` are also
    /// accepted so that On-Premises accounts and hand-made test accounts can be named.
    public static let maxAccountIdLength = 64
    /// Wamids, conversation ids, recipient and user ids: printable ASCII without spaces.
    public static let maxTokenLength = 256
    /// Statuses, categories, pricing types and models, currencies, field names, tiers.
    public static let maxLabelLength = 128
    /// Free text kept for display only (`biz_opaque_callback_data`, error titles).
    public static let maxTextLength = 4_096
    /// `pricing.cost.amount`: a non-negative decimal with at most this many digits before and after
    /// the point (a trillion in any currency, to 10 places).
    public static let maxCostIntegerDigits = 12
    public static let maxCostFractionDigits = 10

    /// The range a timestamp must fall in, as text for messages.
    public static let timestampRangeDescription = "2009-01-01 to 2099-12-31 (UTC)"
    /// The longest call duration accepted, seconds (a week: no call lasts longer; larger values are
    /// not a duration Meta sends, and would price a call at millions of minutes).
    public static let maxCallSeconds: Int64 = 7 * 86_400

    /// Whether a Unix time is one wameter accepts.
    public static func isAcceptedTimestamp(_ seconds: Int64) -> Bool {
        seconds >= earliestTimestamp && seconds < timestampLimit
    }

    /// Why `id` cannot name an account or a phone number, or `nil` when it can.
    public static func accountIdProblem(_ id: String) -> String? {
        if id.isEmpty { return "is empty" }
        if id.utf8.count > maxAccountIdLength { return "is longer than \(maxAccountIdLength) characters" }
        let allowed = id.utf8.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        return allowed ? nil : "may hold only ASCII letters, digits, '.', '_' and '-' (Meta's ids are digits)"
    }

    /// Why `value` cannot be an id (wamid, conversation id, recipient), or `nil` when it can.
    public static func tokenProblem(_ value: String) -> String? {
        printableProblem(value, limit: maxTokenLength, spaces: false)
    }

    /// Why `value` cannot be a label (status, category, type, currency, …), or `nil` when it can.
    public static func labelProblem(_ value: String) -> String? {
        printableProblem(value, limit: maxLabelLength, spaces: true)
    }

    private static func printableProblem(_ value: String, limit: Int, spaces: Bool) -> String? {
        if value.utf8.count > limit { return "is longer than \(limit) characters" }
        let lowest: UInt8 = spaces ? 0x20 : 0x21
        if !value.utf8.allSatisfy({ $0 >= lowest && $0 <= 0x7E }) {
            return spaces
                ? "may hold only printable ASCII characters"
                : "may hold only printable ASCII characters without spaces"
        }
        return nil
    }

    /// Free text as it is kept: in Unicode's composed form (so equal texts are equal bytes), or `nil`
    /// when it holds control characters or is too long, which no text Meta sends does.
    public static func keptText(_ value: String) -> String? {
        if value.utf8.count > maxTextLength { return nil }
        // Printable ASCII, what Meta sends almost always, is already composed: no Unicode work.
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) { return value }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) { return nil }
        return value.precomposedStringWithCanonicalMapping
    }

    /// Reads a cost amount written as a plain decimal (`0.0107`, `12`), or explains why not. No
    /// sign, exponent, or other text: `"12abc"` is not 12.
    public static func costAmount(_ text: String) -> Result<Decimal, CostAmountProblem> {
        let bytes = Array(text.utf8)
        var integerDigits = 0
        var fractionDigits = 0
        var index = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            integerDigits += 1
            index += 1
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                fractionDigits += 1
                index += 1
            }
            if fractionDigits == 0 { return .failure(.notADecimal) }
        }
        if index != bytes.count || integerDigits == 0 {
            return bytes.first == UInt8(ascii: "-") ? .failure(.negative) : .failure(.notADecimal)
        }
        if integerDigits > maxCostIntegerDigits || fractionDigits > maxCostFractionDigits {
            return .failure(.tooPrecise)
        }
        guard let amount = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            return .failure(.notADecimal)
        }
        return .success(amount)
    }

    public enum CostAmountProblem: Error, CustomStringConvertible {
        case notADecimal, negative, tooPrecise

        public var description: String {
            switch self {
            case .notADecimal: "expected a plain decimal amount such as 0.0107"
            case .negative: "a cost cannot be negative"
            case .tooPrecise:
                "more than \(InputRules.maxCostIntegerDigits) digits before or \(InputRules.maxCostFractionDigits) after the point"
            }
        }
    }
}
