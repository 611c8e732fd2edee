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

    /// Unix seconds as a string of digits (Cloud API) or a number (On-Premises).
    static func seconds(_ value: JSONValue?, _ path: @autoclosure Path) throws(WebhookDecodingError) -> Int64? {
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

    /// Money exactly as written: the literal's digits, never through `Double`.
    static func decimal(_ value: JSONValue?, _ path: @autoclosure Path) throws(WebhookDecodingError) -> Decimal? {
        switch value {
        case nil, .null?: return nil
        case .number(let text)?, .string(let text)?:
            if let number = Decimal(string: text, locale: posix), !number.isNaN { return number }
        default: break
        }
        throw .malformed("\(path()): expected a decimal amount")
    }

    private static let posix = Locale(identifier: "en_US_POSIX")
}
