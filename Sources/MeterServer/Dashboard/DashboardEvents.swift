import ServiceLifecycle
import Synchronization

/// The one fan-out of the ledger's version to open dashboard pages (`GET /dashboard/events`,
/// server-sent events). The committer only bumps `LedgerVersion`, as before; this service looks at
/// it four times a second and, when it moved, hands the new number to every open stream. So the
/// webhook path costs the same with 0 or 1,000 pages open. Each stream buffers at most one number
/// (the newest): a slow page skips versions it had no time for and never holds more. Every 15 s the
/// current number is sent again, which keeps proxies from closing a quiet stream.
public final class DashboardEvents: Service, Sendable {
    let version: LedgerVersion
    /// Streams open at once; more are refused (503), so pages cannot take every connection.
    let capacity: Int
    let tick: Duration
    let heartbeat: Duration

    private struct State {
        var next: UInt64 = 0
        var streams: [UInt64: AsyncStream<UInt64>.Continuation] = [:]
        var closed = false
    }

    private let state = Mutex(State())

    public init(
        version: LedgerVersion, capacity: Int = 1_000, tick: Duration = .milliseconds(250),
        heartbeat: Duration = .seconds(15)
    ) {
        self.version = version
        self.capacity = capacity
        self.tick = tick
        self.heartbeat = heartbeat
    }

    /// Streams open now.
    public var open: Int { state.withLock { $0.streams.count } }

    /// A stream of versions for one page, starting with the current one; `nil` when at capacity or
    /// shutting down. `end` must be called when the page goes.
    func subscribe() -> (id: UInt64, versions: AsyncStream<UInt64>)? {
        let (stream, continuation) = AsyncStream.makeStream(of: UInt64.self, bufferingPolicy: .bufferingNewest(1))
        let id: UInt64? = state.withLock { state in
            guard !state.closed, state.streams.count < capacity else { return nil }
            state.next += 1
            state.streams[state.next] = continuation
            return state.next
        }
        guard let id else { return nil }
        continuation.yield(version.current)
        return (id, stream)
    }

    func end(_ id: UInt64) {
        state.withLock { $0.streams.removeValue(forKey: id) }?.finish()
    }

    public func run() async throws {
        var sent = version.current
        var quiet = Duration.zero
        defer {
            let streams = state.withLock { state in
                state.closed = true
                defer { state.streams = [:] }
                return Array(state.streams.values)
            }
            for stream in streams { stream.finish() }
        }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.tick) }
            } catch {
                return
            }
            quiet += tick
            let now = version.current
            guard now != sent || quiet >= heartbeat else { continue }
            sent = now
            quiet = .zero
            for stream in state.withLock({ Array($0.streams.values) }) { stream.yield(now) }
        }
    }
}
