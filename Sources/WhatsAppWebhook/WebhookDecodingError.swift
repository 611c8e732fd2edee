/// Why a body was rejected. Every case carries a sentence fit for an HTTP 400 reason or a CLI line.
public enum WebhookDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not a JSON document.
    case notJSON(String)
    /// JSON, but neither a Cloud API envelope nor an On-Premises body.
    case notWhatsApp(String)
    /// A WhatsApp body with a required field missing or of the wrong type.
    case malformed(String)

    public var description: String {
        switch self {
        case .notJSON(let why): "not JSON: \(why)"
        case .notWhatsApp(let why): "not a WhatsApp webhook: \(why)"
        case .malformed(let why): "malformed WhatsApp webhook: \(why)"
        }
    }
}
