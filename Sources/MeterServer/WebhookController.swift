import Foundation
import HTTPTypes
import Hummingbird
import MeterStore
import NIOCore
import WhatsAppWebhook

/// `GET /webhook` (Meta's verification handshake) and `POST /webhook` (signed deliveries).
struct WebhookController<Context: RequestContext> {
    let configuration: ServerConfiguration
    let committer: GroupCommitter
    let clock: @Sendable () -> Int64
    let decoder = WebhookDecoder()
    let signature: WebhookSignature

    init(configuration: ServerConfiguration, committer: GroupCommitter, clock: @escaping @Sendable () -> Int64) {
        self.configuration = configuration
        self.committer = committer
        self.clock = clock
        signature = WebhookSignature(appSecrets: configuration.appSecrets)
    }

    func addRoutes(to router: Router<Context>) {
        router.get("webhook", use: verify)
        router.post("webhook", use: receive)
    }

    /// Answers 200 with `hub.challenge` when the verify token matches, 403 otherwise (reference §2.1).
    @Sendable func verify(_ request: Request, context: Context) async throws -> Response {
        let query = request.uri.queryParameters
        guard query["hub.mode"] == "subscribe", let challenge = query["hub.challenge"],
            let token = query["hub.verify_token"],
            constantTimeEqual(String(token), configuration.verifyToken)
        else {
            throw APIError(
                .forbidden, "verification failed: hub.mode must be subscribe and hub.verify_token must match")
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: String(challenge))))
    }

    /// Verifies, decodes, and commits one delivery; answers 200 only once it is durable.
    @Sendable func receive(_ request: Request, context: Context) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > configuration.maxBodyBytes {
            throw APIError(
                .contentTooLarge, "body of \(length) bytes is over the \(configuration.maxBodyBytes)-byte limit")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "body is over the \(configuration.maxBodyBytes)-byte limit")
        }
        let bytes = Data(buffer: buffer)
        // The signature covers the bytes exactly as received (reference §2.2): checked before parsing.
        guard signature.isValid(body: bytes, header: request.headers[.xHubSignature256]) else {
            throw APIError(.unauthorized, "missing or invalid X-Hub-Signature-256")
        }
        let body: ReceivedBody
        do {
            body = try ReceivedBody.decode(bytes, decoder: decoder, receivedAt: clock(), source: "http")
        } catch {
            throw APIError(.badRequest, error.description)
        }
        do {
            _ = try await committer.submit(body)
        } catch {
            throw APIError(.serviceUnavailable, "not stored, try again later")
        }
        return Response(status: .ok)
    }
}

extension HTTPField.Name {
    static let xHubSignature256 = HTTPField.Name("X-Hub-Signature-256")!
}

/// Compares secrets without leaking where they differ through timing.
func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
    let left = Array(lhs.utf8)
    let right = Array(rhs.utf8)
    var difference = UInt8(truncatingIfNeeded: left.count ^ right.count)
    for index in 0..<max(left.count, right.count) {
        let a = index < left.count ? left[index] : 0
        let b = index < right.count ? right[index] : 0
        difference |= a ^ b
    }
    return difference == 0
}
