import Foundation

extension GraphJSON {
    /// The value as `WireJSON.encode(self)` writes it, written directly (`WireJSONWriter`): a month's
    /// data points by day × country × phone × category are thousands of objects, and `JSONEncoder`
    /// boxing and key-sorting each of them was a third of the Graph route's answer. A test compares
    /// the two.
    public func data() -> Data {
        var writer = WireJSONWriter(capacity: 4_096)
        write(to: &writer)
        return Data(writer.bytes)
    }

    private func write(to writer: inout WireJSONWriter) {
        switch self {
        case .object(let fields):
            writer.openObject()
            for (name, value) in fields.sorted(by: { WireJSONWriter.keyOrder($0.key, $1.key) }) {
                writer.key(name)
                value.write(to: &writer)
            }
            writer.closeObject()
        case .array(let values):
            writer.openArray()
            for value in values {
                writer.element()
                value.write(to: &writer)
            }
            writer.closeArray()
        case .string(let text): writer.string(text)
        case .integer(let value): writer.int(value)
        // `JSONEncoder` writes both as their descriptions: digits, and a decimal's exact digits.
        case .integer64(let value): writer.number(value.description)
        case .decimal(let value): writer.number(value.description)
        }
    }
}
