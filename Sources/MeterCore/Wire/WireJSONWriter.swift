/// Writes JSON byte for byte as `WireJSON.encoder()` does (indented by two spaces, `"key" : value`,
/// `/` unescaped, empty containers as `{\n\n}`), without `Codable`, for answers of thousands of
/// rows: there `JSONEncoder` was a third of an insights query (it builds a tree of boxed values and
/// sorts every object's keys through dictionaries). The caller writes each object's keys in the
/// encoder's order (`keyOrder`). A test compares the two on the same values.
struct WireJSONWriter {
    private(set) var bytes: [UInt8] = []
    private var depth = 0

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings need no escape: copied whole.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            bytes.append(contentsOf: text.utf8)
        } else {
            for byte in text.utf8 { escaped(byte) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// One byte of a string, escaped as `JSONEncoder` escapes it.
    private mutating func escaped(_ byte: UInt8) {
        let escape: UInt8? =
            switch byte {
            case UInt8(ascii: "\""): UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): UInt8(ascii: "\\")
            case 0x0A: UInt8(ascii: "n")
            case 0x0D: UInt8(ascii: "r")
            case 0x09: UInt8(ascii: "t")
            case 0x08: UInt8(ascii: "b")
            case 0x0C: UInt8(ascii: "f")
            default: nil
            }
        if let escape {
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(escape)
        } else if byte < 0x20 {
            let hex = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: "\\u00".utf8)
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 0xF)])
        } else {
            bytes.append(byte)
        }
    }

    mutating func int(_ value: Int) { bytes.append(contentsOf: value.description.utf8) }

    /// A number already written as JSON writes it (an `Int64`'s or a `Decimal`'s description).
    mutating func number(_ text: String) { bytes.append(contentsOf: text.utf8) }

    // MARK: Streaming: the caller writes keys in order (`keyOrder`).

    /// Whether the innermost open container has no element yet.
    private var empty: [Bool] = []

    mutating func openObject() { open(UInt8(ascii: "{")) }
    mutating func closeObject() { close(UInt8(ascii: "}")) }
    mutating func openArray() { open(UInt8(ascii: "[")) }
    mutating func closeArray() { close(UInt8(ascii: "]")) }

    /// Starts the next field of the open object; its value is written next.
    mutating func key(_ name: String) {
        element()
        string(name)
        bytes.append(contentsOf: " : ".utf8)
    }

    mutating func field(_ name: String, _ value: Int) {
        key(name)
        int(value)
    }

    mutating func field(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    /// Starts the next element of the open array (or field of the open object).
    mutating func element() {
        if empty[empty.count - 1] {
            empty[empty.count - 1] = false
            bytes.append(0x0A)
        } else {
            bytes.append(UInt8(ascii: ","))
            bytes.append(0x0A)
        }
        indent()
    }

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        empty.append(true)
        depth += 1
    }

    private mutating func close(_ bracket: UInt8) {
        depth -= 1
        // `{` `\n` `\n` `}` when nothing was written, as JSONEncoder has it.
        if empty.removeLast() { bytes.append(0x0A) }
        bytes.append(0x0A)
        indent()
        bytes.append(bracket)
    }

    private mutating func indent() {
        for _ in 0..<(2 * depth) { bytes.append(0x20) }
    }

    /// The order `JSONEncoder`'s `.sortedKeys` writes keys in: by their UTF-8 bytes.
    static func keyOrder(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    mutating func array(strings: [String]) {
        openArray()
        for text in strings {
            element()
            string(text)
        }
        closeArray()
    }
}
