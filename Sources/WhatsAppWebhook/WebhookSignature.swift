import Crypto
import Foundation

/// `X-Hub-Signature-256` verification (reference §2.2): HMAC-SHA256 of the raw body, keyed with the
/// app secret, compared in constant time. Several secrets may be configured (a BSP with several apps).
public struct WebhookSignature: Sendable {
    // Kept as bytes: `SymmetricKey` is not `Sendable`, and making one per check costs nothing.
    private let secrets: [Data]

    public init(appSecrets: [String]) {
        secrets = appSecrets.filter { !$0.isEmpty }.map { Data($0.utf8) }
    }

    /// - Parameter header: the header value, `sha256=<hex>`; a bare hex digest is accepted too.
    public func isValid(body: some DataProtocol, header: String?) -> Bool {
        guard var verifier = verifier(header: header) else { return false }
        verifier.update(body)
        return verifier.isValid
    }

    /// A check of a body that arrives in parts, or `nil` when the header is missing or is not a
    /// SHA-256 digest, so that such a request can be refused before its body is read.
    public func verifier(header: String?) -> Verifier? {
        guard var hex = header?.trimmingCharactersInWhitespace(), !hex.isEmpty else { return nil }
        if hex.lowercased().hasPrefix("sha256=") { hex.removeFirst(7) }
        guard let expected = Self.bytes(fromHex: hex), expected.count == SHA256.byteCount else { return nil }
        return Verifier(expected: expected, macs: secrets.map { HMAC<SHA256>(key: SymmetricKey(data: $0)) })
    }

    /// Feeds the body's bytes, in order, to one HMAC per app secret.
    public struct Verifier {
        fileprivate let expected: [UInt8]
        fileprivate var macs: [HMAC<SHA256>]

        public mutating func update(_ bytes: some DataProtocol) {
            for index in macs.indices { macs[index].update(data: bytes) }
        }

        /// Whether any secret's digest equals the header's, compared in constant time.
        public var isValid: Bool {
            var matched = false
            for mac in macs {
                let code = mac.finalize()
                // MessageAuthenticationCode's == compares in constant time.
                if code == expected { matched = true }
            }
            return matched
        }
    }

    /// The header Meta would send for `body` (tests, the simulator).
    public static func header(for body: some DataProtocol, appSecret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(appSecret.utf8)))
        var hex = [UInt8](repeating: 0, count: 7 + 2 * SHA256.byteCount)
        hex.replaceSubrange(0..<7, with: "sha256=".utf8)
        var index = 7
        for byte in mac {
            hex[index] = hexDigits[Int(byte >> 4)]
            hex[index + 1] = hexDigits[Int(byte & 0x0F)]
            index += 2
        }
        return String(decoding: hex, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func bytes(fromHex hex: String) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): char - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
