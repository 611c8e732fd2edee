/// The Graph API's field expansion, as clients write it in `?fields=`:
/// `pricing_analytics.start(1751328000).end(1753920000).granularity(DAILY).dimensions(["COUNTRY","PHONE"])`,
/// several fields separated by commas. Arguments are numbers, bare words, quoted strings, or lists
/// of them in brackets (quoted or not, as SDKs and hand-written URLs differ).
public struct GraphField: Sendable, Equatable {
    public var name: String
    /// Modifier name → its argument's values (one for a scalar, any number for a list), in order
    /// given; a modifier given twice keeps the last.
    public var modifiers: [String: [String]]

    public init(name: String, modifiers: [String: [String]] = [:]) {
        self.name = name
        self.modifiers = modifiers
    }

    /// The field as a `fields` value spells it, e.g.
    /// `pricing_analytics.start(1751328000).end(1753920000).granularity(DAILY).dimensions(["COUNTRY"])`:
    /// `start`, `end` and `granularity` first as scalars, every other modifier after them as a list
    /// (the way Meta's SDKs write them), in name order.
    public var expansion: String {
        let scalars = ["start", "end", "granularity"]
        var text = name
        for modifier in scalars {
            if let value = modifiers[modifier]?.first { text += ".\(modifier)(\(value))" }
        }
        for (modifier, values) in modifiers.sorted(by: { $0.key < $1.key }) where !scalars.contains(modifier) {
            text += ".\(modifier)([" + values.map { "\"\($0)\"" }.joined(separator: ",") + "])"
        }
        return text
    }

    /// Parses a `fields` value; the error says where it stopped making sense.
    public static func parse(_ text: String) throws(GraphError) -> [GraphField] {
        var parser = Parser(Array(text.unicodeScalars))
        return try parser.fields()
    }

    private struct Parser {
        let scalars: [Unicode.Scalar]
        var index = 0

        init(_ scalars: [Unicode.Scalar]) {
            self.scalars = scalars
        }

        var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

        mutating func skipSpaces() {
            while let scalar = current, scalar == " " || scalar == "\n" || scalar == "\t" { index += 1 }
        }

        func problem(_ text: String) -> GraphError {
            .invalidParameter("Syntax error in fields: \(text) at character \(index + 1)")
        }

        mutating func fields() throws(GraphError) -> [GraphField] {
            var fields: [GraphField] = []
            while true {
                skipSpaces()
                var field = GraphField(name: try identifier())
                skipSpaces()
                while current == "." {
                    index += 1
                    let modifier = try identifier()
                    skipSpaces()
                    guard current == "(" else { throw problem("expected ( after \(echoed(modifier))") }
                    index += 1
                    field.modifiers[modifier] = try argument()
                    skipSpaces()
                    guard current == ")" else { throw problem("expected ) to close \(echoed(modifier))") }
                    index += 1
                    skipSpaces()
                }
                fields.append(field)
                guard current == "," else { break }
                index += 1
            }
            guard current == nil else { throw problem("unexpected \"\(current!)\"") }
            return fields
        }

        mutating func identifier() throws(GraphError) -> String {
            var name = ""
            while let scalar = current, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_"
            {
                name.unicodeScalars.append(scalar)
                index += 1
            }
            guard !name.isEmpty else { throw problem("expected a name") }
            return name
        }

        mutating func argument() throws(GraphError) -> [String] {
            skipSpaces()
            guard current == "[" else { return [try value()] }
            index += 1
            var values: [String] = []
            skipSpaces()
            if current == "]" {
                index += 1
                return values
            }
            while true {
                values.append(try value())
                skipSpaces()
                if current == "]" {
                    index += 1
                    return values
                }
                guard current == "," else { throw problem("expected , or ] in a list") }
                index += 1
            }
        }

        mutating func value() throws(GraphError) -> String {
            skipSpaces()
            if current == "\"" || current == "'" {
                let quote = current!
                index += 1
                var text = ""
                while let scalar = current, scalar != quote {
                    text.unicodeScalars.append(scalar)
                    index += 1
                }
                guard current == quote else { throw problem("unterminated string") }
                index += 1
                return text
            }
            var text = ""
            while let scalar = current, ![",", ")", "]", "(", "[", " "].contains(scalar) {
                text.unicodeScalars.append(scalar)
                index += 1
            }
            guard !text.isEmpty else { throw problem("expected a value") }
            return text
        }
    }
}

/// An error answered as the Graph API answers it:
/// `{"error": {"message": …, "type": "OAuthException", "code": 100}}`.
public enum GraphError: Error, Equatable, Sendable {
    /// Code 100: a parameter Meta would refuse, or one wameter does not support.
    case invalidParameter(String)
    /// Code 100, `GraphMethodException`: no such WhatsApp Business Account here.
    case unknownObject(String)
    /// Code 190: no token, or not the right one.
    case invalidToken

    public var message: String {
        switch self {
        case .invalidParameter(let text): "(#100) \(text)"
        case .unknownObject(let id):
            "Unsupported get request. Object with ID '\(id)' does not exist, cannot be loaded due to missing "
                + "permissions, or does not support this operation"
        case .invalidToken: "Invalid OAuth access token - Cannot parse access token"
        }
    }

    public var type: String {
        switch self {
        case .invalidParameter, .invalidToken: "OAuthException"
        case .unknownObject: "GraphMethodException"
        }
    }

    public var code: Int {
        switch self {
        case .invalidParameter, .unknownObject: 100
        case .invalidToken: 190
        }
    }
}
