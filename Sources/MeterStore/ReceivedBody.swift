import Foundation
import MeterCore
import WhatsAppWebhook

/// A webhook body as received, already decoded (decoding happens before the store, so an invalid
/// body never reaches it).
public struct ReceivedBody: Sendable {
    /// Account for On-Premises bodies when the caller names none (they carry no WABA id).
    public static let defaultOnPremisesAccount = "on-premises"

    public var bytes: Data
    public var events: [WebhookEvent]
    public var receivedAt: Int64
    /// Where it came from, e.g. `http` or `file:webhooks.jsonl`.
    public var source: String
    public var onPremisesAccount: String

    public init(
        bytes: Data, events: [WebhookEvent], receivedAt: Int64, source: String,
        onPremisesAccount: String = ReceivedBody.defaultOnPremisesAccount
    ) {
        self.bytes = bytes
        self.events = events
        self.receivedAt = receivedAt
        self.source = source
        self.onPremisesAccount = onPremisesAccount
    }

    /// Decodes and wraps a body; throws (and so stores nothing) when it is not a valid webhook.
    public static func decode(
        _ bytes: Data, decoder: WebhookDecoder, receivedAt: Int64, source: String,
        onPremisesAccount: String = ReceivedBody.defaultOnPremisesAccount
    ) throws(WebhookDecodingError) -> ReceivedBody {
        let events = try decoder.decode(bytes, onPremisesAccount: onPremisesAccount)
        return ReceivedBody(
            bytes: bytes, events: events, receivedAt: receivedAt, source: source, onPremisesAccount: onPremisesAccount)
    }
}

/// A body from the raw archive, as it was received.
public struct ArchivedBody: Sendable, Equatable {
    public var id: Int64
    public var receivedAt: Int64
    public var source: String
    public var onPremisesAccount: String
    public var bytes: Data

    public init(id: Int64, receivedAt: Int64, source: String, onPremisesAccount: String, bytes: Data) {
        self.id = id
        self.receivedAt = receivedAt
        self.source = source
        self.onPremisesAccount = onPremisesAccount
        self.bytes = bytes
    }
}
