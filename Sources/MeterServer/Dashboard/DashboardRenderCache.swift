import Synchronization

/// Rendered pages shared by every open browser. Under live traffic the ledger's version moves with
/// every commit (hundreds a second), and every open page asks again each second: rendering each
/// request anew cost 200 open pages two thirds of the webhook rate. So a page is rendered at most
/// once per `freshness` (one second) whatever the version, concurrent requests for it wait for the
/// render in progress, and every browser gets that render. A page is then at most `freshness`
/// behind the ledger, and open pages still show a delivery within two seconds.
final class DashboardRenderCache: Sendable {
    private struct Entry {
        var version: UInt64
        var started: ContinuousClock.Instant
        var render: Task<String, any Error>
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let freshness: Duration
    private let capacity: Int

    init(freshness: Duration = .seconds(1), capacity: Int = 256) {
        self.freshness = freshness
        self.capacity = capacity
    }

    /// The page's render for `version`: the last one if it was made at this version or later, or
    /// started less than `freshness` ago; else a new one.
    func page(
        _ page: String, version: UInt64, render: @escaping @Sendable () async throws -> String
    ) async throws -> String {
        let now = ContinuousClock.now
        let task = entries.withLock { entries -> Task<String, any Error> in
            if let entry = entries[page], entry.version >= version || now - entry.started < freshness {
                return entry.render
            }
            if entries[page] == nil && entries.count >= capacity,
                let oldest = entries.min(by: { $0.value.started < $1.value.started })
            {
                entries[oldest.key] = nil
            }
            let task = Task { try await render() }
            entries[page] = Entry(version: version, started: now, render: task)
            return task
        }
        do {
            return try await task.value
        } catch {
            // A failed render is not kept: the next request tries again.
            entries.withLock { entries in
                if let entry = entries[page], entry.started == now { entries[page] = nil }
            }
            throw error
        }
    }
}
