import AsyncHTTPClient
import NIOCore

/// The answer's body did not end within the time allowed.
public struct ResponseBodyTimeout: Error, CustomStringConvertible {
    public let timeout: TimeAmount
    public var description: String {
        "the answer's body did not end within \(timeout.nanoseconds / 1_000_000) ms"
    }
}

extension HTTPClientResponse.Body {
    /// The body, up to `maximum` bytes, if it ends within `timeout`. AsyncHTTPClient's deadline
    /// (`execute(_:timeout:)`) ends with the answer's head, and reading the body has none of its
    /// own: a server that answers and never ends its body would hold the caller for good. Reading
    /// is cancelled when the time is up, which closes the connection.
    public func collect(upTo maximum: Int, within timeout: TimeAmount) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await self.collect(upTo: maximum) }
            group.addTask {
                try await Task.sleep(for: .nanoseconds(timeout.nanoseconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let body = first else {
                throw ResponseBodyTimeout(timeout: timeout)
            }
            return body
        }
    }
}
