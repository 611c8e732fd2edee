import HummingbirdCore
import Logging
import Metrics
import Prometheus

/// What an operator scrapes from `GET /metrics` (Prometheus text format), kept in a swift-prometheus
/// registry: deliveries by the status they were answered with, what the group committer made
/// durable (bodies, events by kind, accounts created by webhooks), its batch sizes and transaction
/// durations, failed commits (database errors), requests in flight, open connections and dashboard
/// renders. No label carries an account id or a token. `serve` also makes the registry the process's
/// swift-metrics backend (`bootstrapMetricsSystem`), so metrics that libraries emit through
/// swift-metrics land in the same scrape. Every update is an atomic operation on a metric made once
/// here, so counting costs the hot path a few nanoseconds per request.
public final class ServerMetrics: Sendable {
    /// Webhook deliveries (POST /webhook) by answered status; anything else is `other`.
    static let webhookStatuses = [200, 400, 401, 413, 503]
    /// The kinds of ingest events, as `IngestOutcome` counts them.
    static let eventKinds = ["status", "inbound_message", "system_error", "other_change", "call", "echo"]

    public let registry: PrometheusCollectorRegistry
    private let webhooks: [Prometheus.Counter]
    private let bodiesCommitted: Prometheus.Counter
    private let events: [Prometheus.Counter]
    private let accountsCreated: Prometheus.Counter
    private let commitFailures: Prometheus.Counter
    private let commitSeconds: DurationHistogram
    private let commitBatch: ValueHistogram
    private let renders: Prometheus.Counter
    private let inFlight: Prometheus.Gauge
    private let connections: Prometheus.Gauge
    private let ledgerVersion: Prometheus.Gauge

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        /// `wameter_<name>_<unit>`.
        func named(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "wameter", metricName: name, unitName: unit, helpText: help)
        }
        let requests = named("webhook_requests", "total", "Webhook deliveries (POST /webhook) by answered status.")
        webhooks = (Self.webhookStatuses.map(String.init) + ["other"]).map {
            registry.makeCounter(descriptor: requests, labels: [("status", $0)])
        }
        bodiesCommitted = registry.makeCounter(
            descriptor: named("bodies_committed", "total", "Webhook bodies made durable."))
        let kinds = named("ingest_events", "total", "Events in the bodies made durable, by kind.")
        events = Self.eventKinds.map { registry.makeCounter(descriptor: kinds, labels: [("kind", $0)]) }
        accountsCreated = registry.makeCounter(
            descriptor: named(
                "accounts_auto_created", "total",
                "Accounts created because a webhook named them first (UTC and USD until `accounts add`)."))
        commitFailures = registry.makeCounter(
            descriptor: named("commit_failures", "total", "Group-commit transactions that failed (database errors)."))
        commitSeconds = registry.makeDurationHistogram(
            descriptor: named("commit", "seconds", "Duration of group-commit transactions."),
            buckets: [
                .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10),
                .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                .seconds(1), .milliseconds(2500),
            ])
        commitBatch = registry.makeValueHistogram(
            descriptor: named("commit_batch", "bodies", "Bodies per group-commit transaction."),
            buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000])
        renders = registry.makeCounter(
            descriptor: named(
                "dashboard_renders", "total", "Dashboard pages rendered (shared by every open browser)."))
        inFlight = registry.makeGauge(
            descriptor: named("http_requests_in_flight", "", "HTTP requests being handled."))
        connections = registry.makeGauge(descriptor: named("http_connections_open", "", "HTTP connections open."))
        ledgerVersion = registry.makeGauge(
            descriptor: named("ledger_version", "", "Commits since the server started (what dashboard pages poll)."))
    }

    /// Makes this registry the process's swift-metrics backend. Once per process (swift-metrics'
    /// rule), so `serve` and `demo` call it and tests do not.
    public func bootstrapMetricsSystem() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    func webhookAnswered(status: Int) {
        let index = Self.webhookStatuses.firstIndex(of: status) ?? Self.webhookStatuses.count
        webhooks[index].increment()
    }

    func committed(bodies: Int, outcome: IngestOutcomeCounts, duration: Duration) {
        bodiesCommitted.increment(by: Int64(bodies))
        for (index, count) in outcome.events.enumerated() where count > 0 {
            events[index].increment(by: Int64(count))
        }
        if outcome.accountsCreated > 0 { accountsCreated.increment(by: Int64(outcome.accountsCreated)) }
        commitSeconds.record(duration)
        commitBatch.record(Double(bodies))
    }

    func commitFailed() {
        commitFailures.increment()
    }

    func rendered() {
        renders.increment()
    }

    func requestStarted() { inFlight.increment() }
    func requestEnded() { inFlight.decrement() }
    func connectionOpened() { connections.increment() }
    func connectionClosed() { connections.decrement() }

    /// The Prometheus text exposition (version 0.0.4).
    func exposition(ledgerVersion version: UInt64) -> [UInt8] {
        ledgerVersion.set(Int64(truncatingIfNeeded: version))
        return registry.emitToBuffer()
    }
}

/// What a commit's `IngestOutcome` adds to the metrics, in `ServerMetrics.eventKinds` order.
struct IngestOutcomeCounts {
    var events: [Int]
    var accountsCreated: Int
}

/// Hummingbird's connection limit, counting open connections for `/metrics` as it goes.
struct CountedConnections: AvailableConnectionsDelegate {
    var limit: MaximumAvailableConnections
    let metrics: ServerMetrics

    init(_ maximum: Int, logger: Logger, metrics: ServerMetrics) {
        limit = MaximumAvailableConnections(maximum, logger: logger)
        self.metrics = metrics
    }

    mutating func connectionOpened() {
        limit.connectionOpened()
        metrics.connectionOpened()
    }

    mutating func connectionClosed() {
        limit.connectionClosed()
        metrics.connectionClosed()
    }

    func isAcceptingNewConnections() -> Bool { limit.isAcceptingNewConnections() }
}
