import Foundation
import Synchronization

/// Signed-in browsers: random session ids (what the cookie holds; never the API token) with their
/// expiry, and one-time sign-in codes (for `wameter demo`'s link). In memory: a restart signs
/// everyone out, which is the safe failure. Bounded, so a flood of sign-ins cannot grow it forever.
public final class DashboardSessions: Sendable {
    public static let lifetime: Int64 = 12 * 3600
    static let codeLifetime: Int64 = 600
    static let capacity = 10_000

    private struct State {
        var sessions: [String: Int64] = [:]
        var codes: [String: Int64] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// A new session valid for `lifetime` seconds from `now`.
    func create(now: Int64) -> String {
        let id = Self.randomID()
        state.withLock { state in
            if state.sessions.count >= Self.capacity {
                // Expired ones first; if none, the one closest to expiry.
                state.sessions = state.sessions.filter { $0.value > now }
                if state.sessions.count >= Self.capacity, let oldest = state.sessions.min(by: { $0.value < $1.value }) {
                    state.sessions[oldest.key] = nil
                }
            }
            state.sessions[id] = now + Self.lifetime
        }
        return id
    }

    func isValid(_ id: String, now: Int64) -> Bool {
        state.withLock { ($0.sessions[id] ?? 0) > now }
    }

    func end(_ id: String) {
        state.withLock { $0.sessions[id] = nil }
    }

    /// A code that signs one browser in once, within ten minutes.
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
