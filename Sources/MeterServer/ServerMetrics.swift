import Synchronization

/// What an operator scrapes from `GET /metrics` (Prometheus text format): deliveries by the status
/// they were answered with, what the group committer made durable and how long its transactions
/// took, and the dashboard's renders. Counters are atomics, so counting costs the hot path a few
/// nanoseconds per request.
public final class ServerMetrics: Sendable {
    /// Webhook deliveries (POST /webhook) by answered status.
    static let webhookStatuses = [200, 400, 401, 413, 503]
    /// Upper bounds of the commit-duration histogram, seconds.
    static let commitBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    /// One atomic counter (atomics cannot be copied into an array; references to them can).
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
        func add(_ amount: Int) { value.add(amount, ordering: .relaxed) }
        var current: Int { value.load(ordering: .relaxed) }
    }

    private let webhooks = (0...webhookStatuses.count).map { _ in Counter() }
    private let bodiesCommitted = Atomic<Int>(0)
    private let commits = Atomic<Int>(0)
    private let commitFailures = Atomic<Int>(0)
    private let commitBucketCounts = (0...commitBuckets.count).map { _ in Counter() }
    /// Total commit time, microseconds.
    private let commitMicroseconds = Atomic<Int>(0)
    private let renders = Atomic<Int>(0)

    public init() {}

    func webhookAnswered(status: Int) {
        let index = Self.webhookStatuses.firstIndex(of: status) ?? Self.webhookStatuses.count
        webhooks[index].add(1)
    }

    func committed(bodies: Int, seconds: Double) {
        bodiesCommitted.add(bodies, ordering: .relaxed)
        commits.add(1, ordering: .relaxed)
        let bucket = Self.commitBuckets.firstIndex { seconds <= $0 } ?? Self.commitBuckets.count
        commitBucketCounts[bucket].add(1)
        commitMicroseconds.add(Int(seconds * 1_000_000), ordering: .relaxed)
    }

    func commitFailed() {
        commitFailures.add(1, ordering: .relaxed)
    }

    func rendered() {
        renders.add(1, ordering: .relaxed)
    }

    /// The Prometheus text exposition (version 0.0.4).
    func exposition(ledgerVersion: UInt64) -> String {
        var text = "# HELP wameter_webhook_requests_total Webhook deliveries (POST /webhook) by answered status.\n"
        text += "# TYPE wameter_webhook_requests_total counter\n"
        for (index, status) in Self.webhookStatuses.enumerated() {
            text += "wameter_webhook_requests_total{status=\"\(status)\"} \(webhooks[index].current)\n"
        }
        text += "wameter_webhook_requests_total{status=\"other\"} "
        text += "\(webhooks[Self.webhookStatuses.count].current)\n"
        text += "# HELP wameter_bodies_committed_total Webhook bodies made durable.\n"
        text += "# TYPE wameter_bodies_committed_total counter\n"
        text += "wameter_bodies_committed_total \(bodiesCommitted.load(ordering: .relaxed))\n"
        text += "# HELP wameter_commit_failures_total Group commits that failed (their deliveries got an error).\n"
        text += "# TYPE wameter_commit_failures_total counter\n"
        text += "wameter_commit_failures_total \(commitFailures.load(ordering: .relaxed))\n"
        text += "# HELP wameter_commit_seconds Duration of group-commit transactions.\n"
        text += "# TYPE wameter_commit_seconds histogram\n"
        var cumulative = 0
        for (index, bound) in Self.commitBuckets.enumerated() {
            cumulative += commitBucketCounts[index].current
            text += "wameter_commit_seconds_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        cumulative += commitBucketCounts[Self.commitBuckets.count].current
        text += "wameter_commit_seconds_bucket{le=\"+Inf\"} \(cumulative)\n"
        let seconds = Double(commitMicroseconds.load(ordering: .relaxed)) / 1_000_000
        text += "wameter_commit_seconds_sum \(seconds)\n"
        text += "wameter_commit_seconds_count \(commits.load(ordering: .relaxed))\n"
        text += "# HELP wameter_dashboard_renders_total Dashboard pages rendered (shared by every open browser).\n"
        text += "# TYPE wameter_dashboard_renders_total counter\n"
        text += "wameter_dashboard_renders_total \(renders.load(ordering: .relaxed))\n"
        text += "# HELP wameter_ledger_version Commits since the server started (what dashboard pages poll).\n"
        text += "# TYPE wameter_ledger_version counter\n"
        text += "wameter_ledger_version \(ledgerVersion)\n"
        return text
    }
}
