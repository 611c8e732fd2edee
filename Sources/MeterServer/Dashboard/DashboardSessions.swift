import Foundation
import Synchronization

/// Signed-in browsers: random session ids (what the cookie holds; never the API token) with their
/// expiry and what the token they signed in with may read, and one-time sign-in codes (for
/// `wameter demo`'s link). In memory: a restart signs everyone out, which is the safe failure.
/// Bounded, so a flood of sign-ins cannot grow it forever.
public final class DashboardSessions: Sendable {
    public static let lifetime: Int64 = 12 * 3600
    static let codeLifetime: Int64 = 600
    static let capacity = 10_000
    /// How often a session signed in with a scoped token checks that the token still holds: a
    /// revoked token signs its browsers out within this many seconds (pages poll every second, so
    /// checking on every poll would be a database read per open page per second).
    static let recheckInterval: Int64 = 5

    struct Session {
        var expires: Int64
        var grant: APIAccess.Grant
        var checkedAt: Int64
    }

    private struct State {
        var sessions: [String: Session] = [:]
        var codes: [String: Int64] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// A new session valid for `lifetime` seconds from `now`.
    func create(now: Int64, grant: APIAccess.Grant) -> String {
        let id = Self.randomID()
        state.withLock { state in
            if state.sessions.count >= Self.capacity {
                // Expired ones first; if none, the one closest to expiry.
                state.sessions = state.sessions.filter { $0.value.expires > now }
                if state.sessions.count >= Self.capacity,
                    let oldest = state.sessions.min(by: { $0.value.expires < $1.value.expires })
                {
                    state.sessions[oldest.key] = nil
                }
            }
            state.sessions[id] = Session(expires: now + Self.lifetime, grant: grant, checkedAt: now)
        }
        return id
    }

    /// The grant of a live session, checking (at most every `recheckInterval` seconds) that its
    /// token still holds; a session whose token was revoked or expired is ended.
    func grant(_ id: String, now: Int64, access: APIAccess) async throws -> APIAccess.Grant? {
        guard let session = state.withLock({ $0.sessions[id] }), session.expires > now else { return nil }
        guard session.grant.tokenHash != nil, now - session.checkedAt >= Self.recheckInterval else {
            return session.grant
        }
        guard try await access.stillHolds(session.grant) else {
            end(id)
            return nil
        }
        state.withLock { $0.sessions[id]?.checkedAt = now }
        return session.grant
    }

    func end(_ id: String) {
        state.withLock { $0.sessions[id] = nil }
    }

    /// A code that signs one browser in once, within ten minutes, as the administrator.
    public func oneTimeCode(now: Int64) -> String {
        let code = Self.randomID()
        state.withLock { state in
            state.codes = state.codes.filter { $0.value > now }
            if state.codes.count < Self.capacity { state.codes[code] = now + Self.codeLifetime }
        }
        return code
    }

    /// Whether the code was valid; it is used up either way.
    func redeem(_ code: String, now: Int64) -> Bool {
        state.withLock { ($0.codes.removeValue(forKey: code) ?? 0) > now }
    }

    private static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(generator.next() as UInt64, radix: 16).leftPadded(to: 16) }.joined()
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
