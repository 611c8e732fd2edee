/// A parsed JSON document. Numbers keep their literal text so that ids, timestamps and money are read
/// exactly (no `Double` detour); objects keep their members in order, and lookups scan them, which
/// beats hashing for the handful of keys a webhook object has.
public enum JSONValue: Sendable {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for member in members where member.key == key { return member.value }
        return nil
    }
}

extension JSONValue {
    /// Parses a whole JSON document (strict RFC 8259; numbers kept as their literal text).
    public static func parse(_ data: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        let bytes = Array(data)
        do {
            return try bytes.withUnsafeBufferPointer { buffer in try JSONParser.parse(buffer) }
        } catch let error as JSONParseError {
            throw error
        } catch {
            // `withUnsafeBufferPointer` rethrows untyped; the parser throws nothing else.
            throw JSONParseError(offset: 0, reason: "\(error)")
        }
    }

    /// The elements of an array, or `nil`.
    public var array: [JSONValue]? {
        guard case .array(let values) = self else { return nil }
        return values
    }

    /// A string's text, or `nil`.
    public var text: String? {
        guard case .string(let value) = self else { return nil }
        return value
    }

    /// A number's literal text (or a string's, as some APIs quote numbers), or `nil`.
    public var numberText: String? {
        switch self {
        case .number(let literal), .string(let literal): literal
        default: nil
        }
    }
}
