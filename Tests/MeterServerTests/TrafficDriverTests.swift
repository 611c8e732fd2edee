import Foundation
import Hummingbird
import Logging
import MeterCore
import MeterServer
import MeterStore
import ServiceLifecycle
import TestSupport
import Testing
import TrafficDriver
import TrafficSimulator

/// The poster and the demo feed, in process, against a real server on a loopback port.
@Suite("Traffic driver, live", .serialized)
struct TrafficDriverTests {
    let store: SQLiteLedgerStore
    let port: Int
    let logger: Logger

    init() throws {
        store = try SQLiteLedgerStore()
        port = try LoopbackPort.free()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        self.logger = logger
    }

    func poster(count: Int?, rate: Double? = nil) -> WebhookPoster {
        let settings = SimulationSettings(seed: 7, start: ServerFixture.now, meanGapSeconds: 1)
        return WebhookPoster(
            simulator: TrafficSimulator(settings), target: WebhookPoster.Target("http://127.0.0.1:\(port)/webhook")!,
            appSecret: ServerFixture.secret, limits: .init(count: count, rate: rate))
    }

    func app(onServerRunning: @escaping @Sendable () async -> Void) -> some ApplicationProtocol {
        var configuration = ServerFixture.configuration
        configuration.port = port
        return buildApplication(
            configuration: configuration, store: store, clock: { ServerFixture.now }, logger: logger,
            onServerRunning: onServerRunning)
    }

    @Test("the poster sends exactly its count, signed: every body answered 200 and archived once")
    func posterCount() async throws {
        let (running, started) = AsyncStream.makeStream(of: Void.self)
        let app = app { started.yield() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            for await _ in running { break }
            defer { group.cancelAll() }
            let outcome = await poster(count: 300).run(concurrency: 4)
            #expect(outcome.responses == [200: 300])
            #expect(outcome.failedConnections == 0)
            #expect(outcome.stats.bodies == 300)
            let archived = try await store.archivedBodyCount()
            #expect(archived == 300)
        }
    }

    @Test("the poster names a refused connection instead of hanging")
    func posterRefused() async throws {
        let outcome = await poster(count: 5).run(concurrency: 2)
        #expect(outcome.failedConnections == 2)
        #expect(outcome.connectionError != nil)
        #expect(outcome.responses[200] == nil)
    }

    @Test("the demo feed starts when the server listens and, on shutdown, stops before the server: all answered")
    func demoFeed() async throws {
        let feeder = DemoFeeder(poster: poster(count: nil, rate: 400))
        let app = app { feeder.serverIsRunning() }
        let group = ServiceGroup(
            configuration: .init(services: [app, feeder], gracefulShutdownSignals: [], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // Let it feed for a while, then shut down as Ctrl-C would.
            while try await store.archivedBodyCount() < 50 { try await Task.sleep(for: .milliseconds(50)) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let outcome = try #require(feeder.outcome)
        let answered = outcome.responses[200] ?? 0
        #expect(answered >= 50)
        // Nothing in flight was cut off: every body sent got its 200, and each is in the archive.
        #expect(outcome.responses.keys.sorted() == [200])
        #expect(try await store.archivedBodyCount() == answered)
    }
}
