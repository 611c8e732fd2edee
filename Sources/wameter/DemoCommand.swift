import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MeterCore
import MeterServer
import MeterStore
import ServiceLifecycle
import TrafficDriver
import TrafficSimulator

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "See wameter work without a Meta account: a server fed with simulated traffic.",
        discussion: """
            Starts `wameter serve` on a temporary SQLite database (or the one given with --database) with three demo accounts (one portfolio, three \
            time zones) priced by the built-in USD card, feeds it simulated webhooks in real time (signed POSTs, \
            as Meta sends them), and prints the URLs to open. Ctrl-C stops it cleanly; the temporary database is \
            deleted unless --keep or --database is given.
            """)

    @Option(help: "Address to listen on.") var host: String = ServerConfiguration.defaultHost
    @Option(help: "Port to listen on.") var port: Int = ServerConfiguration.defaultPort
    @Option(help: "Simulated webhooks per second.") var rate: Double = 20
    @Option(help: "Seed for the simulated traffic (default: a new one each run).") var seed: UInt64?
    @Option(
        help: ArgumentHelp(
            "SQLite file or postgres:// URL to use instead of a temporary SQLite file (kept).", valueName: "path|url"))
    var database: String?
    @Flag(help: "Keep the temporary database and print where it is.") var keep = false

    func validate() throws {
        if rate <= 0 || rate > 10_000 { throw ValidationError("--rate must be between 0 and 10000") }
    }

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wameter-demo-\(UUID().uuidString)")
        let path: String
        if let database {
            path = database
        } else {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            path = directory.appendingPathComponent("demo.sqlite").path
        }
        defer {
            if database == nil {
                if keep { print("database kept: \(path)") } else { try? FileManager.default.removeItem(at: directory) }
            }
        }
        try await DatabaseOptions.withStore(at: path) { store in
            for account in SimulatedAccount.demo {
                _ = try await store.upsertAccount(account.account)
            }
            let appSecret = Self.token()
            let apiToken = Self.token()
            let configuration = ServerConfiguration(
                host: host, port: port, appSecrets: [appSecret], verifyToken: Self.token(), apiToken: apiToken)
            var logger = Logger(label: "wameter-demo")
            logger.logLevel = .warning

            let now = Int64(Date().timeIntervalSince1970)
            let settings = SimulationSettings(
                seed: seed ?? UInt64(now), start: now, meanGapSeconds: SimulationSettings.bodiesPerInteraction / rate,
                callRate: 0.05, echoRate: 0.02)
            let base = "http://\(host):\(port)"
            let feeder = DemoFeeder(
                poster: WebhookPoster(
                    simulator: TrafficSimulator(settings), target: WebhookPoster.Target(base + "/webhook")!,
                    appSecret: appSecret, limits: .init(count: nil, duration: nil, rate: rate)))
            let month = YearMonth(containing: BillingCalendar.utc.day(of: now))
            let first = SimulatedAccount.demo[0].id
            // The dashboard first, already signed in: a one-time code, not the token, in the link.
            let sessions = DashboardSessions()
            let signIn = "\(base)/sign-in/once?code=\(sessions.oneTimeCode(now: now))"
            let banner = """
                wameter demo: serving on \(base), fed \(Int(rate)) simulated webhooks/s (seed \(settings.seed))

                  dashboard \(signIn)
                            (signs one browser in once, for ten minutes; then sign in at \(base)/sign-in
                            with the API token \(apiToken))

                  report    curl -H 'Authorization: Bearer \(apiToken)' '\(base)/api/v1/accounts/\(first)/report?month=\(month)'
                  insights  curl -H 'Authorization: Bearer \(apiToken)' '\(base)/api/v1/insights?portfolio=demo&from=\(month)&by=account,category'
                  by day    curl -H 'Authorization: Bearer \(apiToken)' '\(base)/api/v1/insights?account=\(first)&from=\(month)&granularity=day&by=phone&format=csv'
                  accounts  curl -H 'Authorization: Bearer \(apiToken)' '\(base)/api/v1/accounts'
                  health    curl '\(base)/health'
                  CLI       wameter report --database '\(DatabaseOptions.display(path))' --account \(first) --month \(month)
                            wameter insights --database '\(DatabaseOptions.display(path))' --portfolio demo --by account,country

                Accounts \(SimulatedAccount.demo.map(\.id).joined(separator: ", ")) (portfolio "demo"). Ctrl-C to stop.

                """
            // The URLs are printed, and the feed starts, once the server listens. Written straight to the
            // file descriptor so they show at once, also through a pipe.
            let metrics = ServerMetrics()
            metrics.bootstrapMetricsSystem()
            let app = buildApplication(
                configuration: configuration, store: store, clock: { Int64(Date().timeIntervalSince1970) },
                logger: logger, sessions: sessions, metrics: metrics,
                onServerRunning: {
                    FileHandle.standardOutput.write(Data(banner.utf8))
                    feeder.serverIsRunning()
                })
            let group = ServiceGroup(
                configuration: .init(
                    services: [app, feeder], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            do {
                try await group.run()
            } catch {
                printError("wameter demo: the server stopped: \(error) (is port \(port) in use? try --port)")
                throw ExitCode(1)
            }
            if let outcome = feeder.outcome { print("\n" + outcome.summary) }
        }
    }

    private static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
    }
}
