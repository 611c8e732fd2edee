import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MeterServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive Meta's webhooks and serve the report API.",
        discussion: """
            Settings: WAMETER_APP_SECRET (comma-separated app secrets), WAMETER_VERIFY_TOKEN, WAMETER_API_TOKEN, \
            and optionally WAMETER_HOST, WAMETER_PORT, WAMETER_DATABASE, and the limits WAMETER_IDLE_TIMEOUT, \
            WAMETER_BODY_TIMEOUT, WAMETER_MAX_CONNECTIONS, WAMETER_BODY_MEMORY_MB (flags win). Stops gracefully on SIGTERM \
            and SIGINT: deliveries in flight are committed and answered first.
            """)

    @OptionGroup var options: DatabaseOptions
    @Option(help: "Address to listen on (default $WAMETER_HOST, else 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (default $WAMETER_PORT, else 8080).") var port: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel: String = "info"
    @Option(
        help:
            "Seconds a connection may wait for a complete request head, and stay idle between requests (default $WAMETER_IDLE_TIMEOUT, else 30)."
    )
    var idleTimeout: Double?
    @Option(help: "Seconds a request body may take to arrive in full (default $WAMETER_BODY_TIMEOUT, else 20).")
    var bodyTimeout: Double?
    @Option(
        help: "Connections open at once; more wait in the listen backlog (default $WAMETER_MAX_CONNECTIONS, else 512).")
    var maxConnections: Int?
    @Option(
        help:
            "MiB of request bodies held at once; past it deliveries get 503 before they are read (default $WAMETER_BODY_MEMORY_MB, else 64)."
    )
    var bodyMemoryMb: Int?
    @Option(
        help:
            "Check every account against Meta's analytics daily at HH:MM UTC and keep the results (default $WAMETER_RECONCILE_DAILY_AT, else off; needs $WAMETER_GRAPH_TOKEN)."
    )
    var reconcileDailyAt: String?

    func run() async throws {
        let configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration.load(
                host: host, port: port,
                limits: ServerLimits.Flags(
                    idleTimeoutSeconds: idleTimeout, bodyTimeoutSeconds: bodyTimeout, maxConnections: maxConnections,
                    bodyMemoryMiB: bodyMemoryMb),
                reconcileDailyAt: reconcileDailyAt, environment: ProcessInfo.processInfo.environment)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        var logger = Logger(label: "wameter")
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error")
        }
        logger.logLevel = level
        try await options.withStore(logger: logger) { store in
            let address = "\(configuration.host):\(configuration.port)"
            let database = options.displayLocation
            let serverLogger = logger
            // Said once the socket is bound, so the log never claims a server that is not there.
            await ServerWarmUp.run(store)
            let metrics = ServerMetrics()
            metrics.bootstrapMetricsSystem()
            let app = buildApplication(
                configuration: configuration, store: store, clock: { Int64(Date().timeIntervalSince1970) },
                logger: logger, metrics: metrics,
                onServerRunning: {
                    serverLogger.info(
                        "wameter serving", metadata: ["address": "\(address)", "database": "\(database)"])
                })
            do {
                try await app.runService()
            } catch {
                let inUse = "\(error)".localizedCaseInsensitiveContains("address already in use")
                throw CommandFailure(
                    "cannot serve on \(address): \(error)"
                        + (inUse ? " (is port \(configuration.port) in use? try --port)" : ""))
            }
        }
    }
}
