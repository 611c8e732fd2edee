import Hummingbird
import Logging
import MeterCore
import MeterStore

/// Who a request speaks for: the administrator token (`WAMETER_API_TOKEN`, every account) or a
/// scoped token from `wameter tokens create`, looked up by the hash of what was offered. Looked up
/// on every request, so a revoked or expired token stops working at once, on every instance.
public struct APIAccess: Sendable {
    /// A token that was accepted: what it may read, and for a scoped token its hash (so a dashboard
    /// session signed in with it can be checked again later).
    public struct Grant: Sendable, Equatable {
        public var scope: AccessScope
        public var tokenHash: String?

        public static let administrator = Grant(scope: .all, tokenHash: nil)
    }

    let administratorToken: String
    let store: any LedgerStore
    let clock: @Sendable () -> Int64
    let logger: Logger

    public init(
        administratorToken: String, store: any LedgerStore, clock: @escaping @Sendable () -> Int64, logger: Logger
    ) {
        self.administratorToken = administratorToken
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    /// The grant of an offered token; nil when it is neither the administrator token nor a live
    /// scoped token.
    func grant(for offered: String) async throws -> Grant? {
        if constantTimeEqual(offered, administratorToken) { return .administrator }
        // Anything without a scoped token's shape is not looked up (and never hashed into a query).
        guard APITokenSecret.isWellFormed(offered) else { return nil }
        let hash = APITokenSecret.hash(offered)
        guard let token = try await liveToken(hash: hash) else { return nil }
        return Grant(scope: token.scope, tokenHash: hash)
    }

    /// Whether a grant still holds: the administrator's always; a scoped token's while it is
    /// neither revoked nor expired.
    func stillHolds(_ grant: Grant) async throws -> Bool {
        guard let hash = grant.tokenHash else { return true }
        return try await liveToken(hash: hash) != nil
    }

    private func liveToken(hash: String) async throws -> APIToken? {
        let now = clock()
        guard let token = try await store.token(hash: hash), !token.isExpired(at: now) else { return nil }
        if APITokenUse.isDue(lastUsedAt: token.lastUsedAt, now: now) {
            // A failure to note the use must not fail the request that made it.
            do {
                try await store.recordTokenUse(hash: hash, at: now)
            } catch {
                logger.warning("could not record a token's last use", metadata: ["error": "\(error)"])
            }
        }
        return token
    }
}

/// A request context that carries the scope the request was granted (set by
/// `BearerTokenMiddleware`), read by every controller that answers with account data.
public protocol AccessControlledContext: RequestContext {
    var access: AccessScope? { get set }
}

extension AccessControlledContext {
    /// The granted scope. Routes that read account data sit behind the token middleware, so a
    /// request without one is a wiring mistake: it is refused rather than shown everything.
    func requireAccess() throws -> AccessScope {
        guard let access else { throw APIError(.unauthorized, "no API token") }
        return access
    }
}
