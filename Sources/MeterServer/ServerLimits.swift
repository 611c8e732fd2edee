import Foundation

/// What one client may hold of the server: connections, time and body memory. The defaults suit a
/// server facing Meta directly; README's serve section lists them and what a reverse proxy adds.
///
/// Each limit answers one attack that costs an attacker nothing and the server a lot:
/// - connections that never send a complete request (`idleTimeout`, which also closes idle
///   keep-alive connections, and `maxConnections`, which keeps descriptors for real deliveries);
/// - bodies sent a byte at a time (`bodyTimeout`);
/// - many large bodies at once (`bodyMemoryBytes`: a body is only read once its size fits in the
///   budget; past it the request gets 503 before anything is buffered).
public struct ServerLimits: Sendable, Equatable {
    /// A connection with no request in progress is closed after this long: from when it opens, or
    /// from its last response, until a request's head is complete.
    public var idleTimeout: Duration
    /// A request's body must arrive in full within this long of its head, or the connection is closed.
    public var bodyTimeout: Duration
    /// Connections open at once; further ones wait in the listen backlog until one closes.
    public var maxConnections: Int
    /// Request bodies held in memory at once, in bytes, counted by `Content-Length` (or the maximum
    /// body size when a body is chunked).
    public var bodyMemoryBytes: Int

    public static let defaultIdleTimeout = Duration.seconds(30)
    public static let defaultBodyTimeout = Duration.seconds(20)
    public static let defaultMaxConnections = 512
    public static let defaultBodyMemoryBytes = 64 * 1024 * 1024

    public init(
        idleTimeout: Duration = defaultIdleTimeout, bodyTimeout: Duration = defaultBodyTimeout,
        maxConnections: Int = defaultMaxConnections, bodyMemoryBytes: Int = defaultBodyMemoryBytes
    ) {
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        self.maxConnections = maxConnections
        self.bodyMemoryBytes = bodyMemoryBytes
    }

    /// The limits given as flags (`nil` when not given); flags win over `WAMETER_*` variables.
    public struct Flags: Sendable {
        public var idleTimeoutSeconds: Double?
        public var bodyTimeoutSeconds: Double?
        public var maxConnections: Int?
        public var bodyMemoryMiB: Int?

        public init(
            idleTimeoutSeconds: Double? = nil, bodyTimeoutSeconds: Double? = nil, maxConnections: Int? = nil,
            bodyMemoryMiB: Int? = nil
        ) {
            self.idleTimeoutSeconds = idleTimeoutSeconds
            self.bodyTimeoutSeconds = bodyTimeoutSeconds
            self.maxConnections = maxConnections
            self.bodyMemoryMiB = bodyMemoryMiB
        }
    }

    /// Reads flags and the environment, appending a sentence to `problems` for each bad value.
    static func load(
        _ flags: Flags, environment value: (String) -> String?, maxBodyBytes: Int, problems: inout [String]
    ) -> ServerLimits {
        var limits = ServerLimits()
        func number<T: LosslessStringConvertible & Comparable>(
            _ flag: T?, _ variable: String, _ name: String, minimum: T
        ) -> T? {
            if let flag {
                if flag < minimum { problems.append("\(name) must be at least \(minimum)") }
                return flag
            }
            guard let text = value(variable) else { return nil }
            guard let parsed = T(text) else {
                problems.append("\(variable) \"\(text)\" is not a number")
                return nil
            }
            if parsed < minimum { problems.append("\(variable) must be at least \(minimum)") }
            return parsed
        }
        if let seconds = number(flags.idleTimeoutSeconds, "WAMETER_IDLE_TIMEOUT", "--idle-timeout", minimum: 0.1) {
            limits.idleTimeout = .milliseconds(Int64(seconds * 1000))
        }
        if let seconds = number(flags.bodyTimeoutSeconds, "WAMETER_BODY_TIMEOUT", "--body-timeout", minimum: 0.1) {
            limits.bodyTimeout = .milliseconds(Int64(seconds * 1000))
        }
        if let count = number(flags.maxConnections, "WAMETER_MAX_CONNECTIONS", "--max-connections", minimum: 1) {
            limits.maxConnections = count
        }
        if let mebibytes = number(flags.bodyMemoryMiB, "WAMETER_BODY_MEMORY_MB", "--body-memory-mb", minimum: 1) {
            limits.bodyMemoryBytes = mebibytes * 1024 * 1024
            if limits.bodyMemoryBytes < maxBodyBytes {
                problems.append(
                    "the body memory budget (\(mebibytes) MiB) must hold at least one body of the "
                        + "\(maxBodyBytes / 1024 / 1024) MiB maximum")
            }
        }
        return limits
    }
}
