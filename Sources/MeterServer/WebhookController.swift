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
    let bodyMemory: BodyMemoryBudget

    init(
        configuration: ServerConfiguration, committer: GroupCommitter, bodyMemory: BodyMemoryBudget,
        clock: @escaping @Sendable () -> Int64
    ) {
        self.configuration = configuration
        self.committer = committer
        self.bodyMemory = bodyMemory
        self.clock = clock
        signature = WebhookSignature(appSecrets: configuration.appSecrets)
    }

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("webhook", use: verify)
        group.post("webhook", use: receive)
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
    ///
    /// What can be refused without reading the body is refused first (too large, no signature,
    /// over the body memory budget), so a request that will not be stored costs little. The body is
    /// hashed as it arrives, and copied once, into the bytes that are archived.
    @Sendable func receive(_ request: Request, context: Context) async throws -> Response {
        let maxBytes = configuration.maxBodyBytes
        let declared = request.headers[.contentLength].flatMap(Int.init)
        if let declared, declared > maxBytes {
            throw APIError(.contentTooLarge, "body of \(declared) bytes is over the \(maxBytes)-byte limit")
        }
        // The signature covers the bytes exactly as received (reference §2.2).
        guard var verifier = signature.verifier(header: request.headers[.xHubSignature256]) else {
            throw APIError(.unauthorized, "missing or invalid X-Hub-Signature-256")
        }
        // NIO's parser refuses a negative Content-Length; clamped all the same, since a negative
        // reservation would enlarge the budget.
        let reservation = max(declared ?? maxBytes, 0)
        guard bodyMemory.reserve(reservation) else {
            throw APIError(
                .serviceUnavailable, "too many bodies in flight, try again later", headers: [.retryAfter: "1"])
        }
        defer { bodyMemory.release(reservation) }

        var bytes = Data()
        bytes.reserveCapacity(declared ?? 0)
        for try await chunk in request.body {
            guard bytes.count + chunk.readableBytes <= maxBytes else {
                throw APIError(.contentTooLarge, "body is over the \(maxBytes)-byte limit")
            }
            verifier.update(chunk.readableBytesView)
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        guard verifier.isValid else {
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
        } catch GroupCommitter.Failure.unstorable(let reason) {
            throw APIError(.badRequest, "the body cannot be stored: \(reason)")
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
