import Foundation

/// Typed reads of webhook fields with Meta's tolerance rules: absent and `null` are the same; ids
/// may be strings or numbers; timestamps strings of digits or numbers; booleans `true` or `"true"`.
/// A present value of an impossible type is an error that names its path, e.g.
/// `entry[0].changes[0].value.statuses[1].timestamp: expected whole seconds`. Paths are autoclosures
/// so they are only built when there is an error.
enum JSONFields {
    typealias Path = () -> String

    static func missing(_ path: Path) -> WebhookDecodingError {
        .malformed("\(path()): missing")
    }

    static func object(_ value: JSONValue?, _ path: @autoclosure Path) throws(WebhookDecodingError) -> JSONValue? {
        switch value {
        case nil, .null?: return nil
        case .object?: return value
        default: throw .malformed("\(path()): expected an object")
        }
    }

    static func array(_ value: JSONValue?, _ path: @autoclosure Path) throws(WebhookDecodingError) -> [JSONValue] {
        switch value {
        case nil, .null?: return []
        case .array(let elements)?: return elements
        default: throw .malformed("\(path()): expected an array")
        }
    }

    /// Text, where Meta documents text; digits sent as a number are accepted (ids, phone numbers).
    static func string(_ value: JSONValue?, _ path: @autoclosure Path) throws(WebhookDecodingError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case .number(let literal)? where !literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }):
            return literal
        default: throw .malformed("\(path()): expected a string")
        }
    }

    /// Unix seconds as a string of digits (Cloud API) or a number (On-Premises), within
    /// `InputRules`' range: anything outside it is not a time Meta sends, and refusing it here keeps
    /// calendar arithmetic far from the values that overflow it.
    static func seconds(_ value: JSONValue?, _ path: @autoclosure Path) throws(WebhookDecodingError) -> Int64? {
        guard let seconds = try anySeconds(value, path) else { return nil }
        guard InputRules.isAcceptedTimestamp(seconds) else {
            throw .malformed("\(path()): \(seconds) is outside \(InputRules.timestampRangeDescription)")
        }
        return seconds
    }

    /// A call's duration in whole seconds, from 0 to `InputRules.maxCallSeconds`.
    static func duration(_ value: JSONValue?, _ path: @autoclosure Path) throws(WebhookDecodingError) -> Int64? {
        guard let seconds = try anySeconds(value, path) else { return nil }
        guard (0...InputRules.maxCallSeconds).contains(seconds) else {
            throw .malformed("\(path()): \(seconds) seconds is not a call duration (0 to \(InputRules.maxCallSeconds))")
        }
        return seconds
    }

    /// A time that is only a fallback (`entry[].time`): read like `seconds`, but skipped (absent)
    /// rather than refused when it is outside the accepted range, so a body whose other fields are
    /// fine is not refused for it.
    static func fallbackSeconds(_ value: JSONValue?, _ path: @autoclosure Path) throws(WebhookDecodingError) -> Int64? {
        guard let seconds = try anySeconds(value, path), InputRules.isAcceptedTimestamp(seconds) else { return nil }
        return seconds
    }

    /// Whole seconds of any size; a value of another type is an error.
    private static func anySeconds(_ value: JSONValue?, _ path: Path) throws(WebhookDecodingError) -> Int64? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?:
            if let number = Int64(text) { return number }
        case .number(let literal)?:
            if let number = Int64(literal) { return number }
            if let real = Double(literal), real.isFinite, real.magnitude < 9.0e15 { return Int64(real.rounded(.down)) }
        default: break
        }
        throw .malformed("\(path()): expected whole seconds as a number or a string of digits")
    }

    static func integer(_ value: JSONValue?, _ path: @autoclosure Path) throws(WebhookDecodingError) -> Int? {
        switch value {
        case nil, .null?: return nil
        case .number(let literal)?: if let number = Int(literal) { return number }
        case .string(let text)?: if let number = Int(text) { return number }
        default: break
        }
        throw .malformed("\(path()): expected an integer")
    }

    static func bool(_ value: JSONValue?, _ path: @autoclosure Path) throws(WebhookDecodingError) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case .string(let text)?: if let flag = Bool(text.lowercased()) { return flag }
        default: break
        }
        throw .malformed("\(path()): expected true or false")
    }

    /// Money exactly as written, never through `Double`: a plain non-negative decimal of bounded
    /// precision (`InputRules.costAmount`).
    static func decimal(_ value: JSONValue?, _ path: @autoclosure Path) throws(WebhookDecodingError) -> Decimal? {
        switch value {
        case nil, .null?: return nil
        case .number(let text)?, .string(let text)?:
            switch InputRules.costAmount(text) {
            case .success(let amount): return amount
            case .failure(let problem): throw .malformed("\(path()): \(problem)")
            }
        default: throw .malformed("\(path()): expected a decimal amount")
        }
    }

    /// An account (WABA) or phone number id; `""` is refused like any other id that breaks the rules.
    static func accountId(_ value: JSONValue?, _ path: @autoclosure Path) throws(WebhookDecodingError) -> String? {
        guard let id = try string(value, path()) else { return nil }
        if let problem = InputRules.accountIdProblem(id) { throw .malformed("\(path()): \(problem)") }
        return id
    }

    /// An id such as a wamid or a conversation id; `""` reads as absent, as Meta sends it for
    /// withheld recipients.
    static func token(_ value: JSONValue?, _ path: @autoclosure Path) throws(WebhookDecodingError) -> String? {
        guard let id = try string(value, path()), !id.isEmpty else { return nil }
        if let problem = InputRules.tokenProblem(id) { throw .malformed("\(path()): \(problem)") }
        return id
    }

    /// A label such as a status, a category or a pricing type; `""` reads as absent. Unknown labels
    /// are kept (DESIGN: unknown is kept, not rejected) as long as they are printable ASCII.
    static func label(_ value: JSONValue?, _ path: @autoclosure Path) throws(WebhookDecodingError) -> String? {
        guard let label = try string(value, path()), !label.isEmpty else { return nil }
        if let problem = InputRules.labelProblem(label) { throw .malformed("\(path()): \(problem)") }
        return label
    }

    /// Free text kept for display: skipped (absent) when it breaks `InputRules.keptText`.
    static func text(_ value: JSONValue?, _ path: @autoclosure Path) throws(WebhookDecodingError) -> String? {
        guard let text = try string(value, path()), !text.isEmpty else { return nil }
        return InputRules.keptText(text)
    }

    /// An ISO 4217 code, upper-cased; anything but three ASCII letters is refused, because the
    /// currency decides which costs may be added together.
    static func currency(_ value: JSONValue?, _ path: @autoclosure Path) throws(WebhookDecodingError) -> String? {
        guard let code = try string(value, path()), !code.isEmpty else { return nil }
        guard code.utf8.count == 3,
            code.utf8.allSatisfy({ ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") })
        else { throw .malformed("\(path()): expected a three-letter currency code") }
        return code.uppercased()
    }

    /// An ISO 3166 alpha-2 country, upper-cased. It is only a hint for the market (the number wins),
    /// so anything but two ASCII letters is skipped rather than refused.
    static func countryCode(_ value: JSONValue?, _ path: @autoclosure Path) throws(WebhookDecodingError) -> String? {
        guard let code = try string(value, path()) else { return nil }
        guard code.utf8.count == 2,
            code.utf8.allSatisfy({ ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") })
        else { return nil }
        return code.uppercased()
    }

}
