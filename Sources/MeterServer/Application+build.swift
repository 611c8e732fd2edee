import Hummingbird
import HummingbirdCore
import Logging
import MeterStore
import NIOCore

/// Wires the server: controllers over the store, the group committer as a lifecycle service.
/// Everything is passed in (DESIGN: constructor injection), so tests build it with an in-memory
/// store and a fixed clock.
public func buildApplication(
    configuration: ServerConfiguration, store: any LedgerStore, clock: @escaping @Sendable () -> Int64,
    logger: Logger, sessions: DashboardSessions = DashboardSessions(), metrics: ServerMetrics = ServerMetrics(),
    onServerRunning: @escaping @Sendable () async -> Void = {}
) -> some ApplicationProtocol {
    let committer = GroupCommitter(
        store: store, maxBatch: configuration.maxBatch, logger: logger, metrics: metrics)
    let events = DashboardEvents(version: committer.version)
    let router = buildRouter(
        configuration: configuration, store: store, committer: committer, clock: clock, sessions: sessions,
        metrics: metrics, events: events)
    let limits = configuration.limits
    let bodyTimeout = TimeAmount.nanoseconds(Int64(limits.bodyTimeout / .nanoseconds(1)))
    return Application(
        responder: HeadAnsweringResponder(inner: router.buildResponder()),
        server: .http1(
            configuration: HTTP1Channel.Configuration(
                additionalChannelHandlers: [BodyDeadlineHandler(limit: bodyTimeout)],
                idleTimeout: TimeAmount.nanoseconds(Int64(limits.idleTimeout / .nanoseconds(1))))),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: "wameter",
            availableConnectionsDelegate: CountedConnections(limits.maxConnections, logger: logger, metrics: metrics)),
        // Listed before the HTTP server, which the application appends last: on shutdown the server
        // stops first and finishes its requests, then the committer commits what they handed over.
        services: [
            committer, events,
            AlertMonitor(
                store: store, settings: configuration.alerts, clock: clock, logger: logger,
                version: committer.version),
        ]
            + (configuration.reconcile.map {
                [DailyReconciliation(store: store, settings: $0, clock: clock, logger: logger)]
            } ?? []),
        onServerRunning: { _ in await onServerRunning() },
        logger: logger)
}

/// The routes and their middleware (what `buildApplication` serves; tests list them with
/// `Router.routes` to check the OpenAPI document).
func buildRouter(
    configuration: ServerConfiguration, store: any LedgerStore, committer: GroupCommitter,
    clock: @escaping @Sendable () -> Int64, sessions: DashboardSessions, metrics: ServerMetrics,
    events: DashboardEvents? = nil
) -> Router<WameterRequestContext> {
    let router = Router(context: WameterRequestContext.self)
    let access = APIAccess(
        administratorToken: configuration.apiToken, store: store, clock: clock, logger: Logger(label: "wameter.access"))
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: InFlightMetricsMiddleware(metrics: metrics))
    router.add(middleware: UnknownRouteMiddleware())
    let bodyMemory = BodyMemoryBudget(capacity: configuration.limits.bodyMemoryBytes)
    WebhookController(configuration: configuration, committer: committer, bodyMemory: bodyMemory, clock: clock)
        .addRoutes(to: router.group().add(middleware: WebhookMetricsMiddleware(metrics: metrics)))
    HealthController(store: store).addRoutes(to: router)
    OpenAPIDocument.addRoutes(to: router)
    DashboardController(
        store: store, access: access, sessions: sessions, version: committer.version,
        events: events ?? DashboardEvents(version: committer.version), metrics: metrics, clock: clock
    ).addRoutes(to: router)
    MetricsController(metrics: metrics, version: committer.version).addRoutes(
        to: router.group().add(middleware: BearerTokenMiddleware(access: access, needsAllAccounts: true)))
    let api = router.group("api/v1").add(middleware: BearerTokenMiddleware(access: access, sessions: sessions))
    ReportAPIController(store: store, clock: clock).addRoutes(to: api)
    InsightsAPIController(store: store, clock: clock).addRoutes(to: api)
    ReconciliationsAPIController(store: store).addRoutes(to: api)
    AlertsAPIController(store: store).addRoutes(to: api)
    GraphAPIController(store: store, access: access, clock: clock).addRoutes(to: router)
    return router
}
