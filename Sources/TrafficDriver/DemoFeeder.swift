import Foundation
import ServiceLifecycle

/// The demo's traffic as a service: starts once the server listens, stops first on Ctrl-C
/// (services stop in reverse order), so every webhook it sent is answered before the server goes.
public final class DemoFeeder: Service, @unchecked Sendable {
    private let poster: WebhookPoster
    private let lock = NSLock()
    private var result: WebhookPoster.Outcome?
    private let running: AsyncStream<Void>
    private let runningContinuation: AsyncStream<Void>.Continuation

    public init(poster: WebhookPoster) {
        self.poster = poster
        (running, runningContinuation) = AsyncStream.makeStream()
    }

    /// What the feed sent and how the server answered, once it has stopped.
    public var outcome: WebhookPoster.Outcome? { lock.withLock { result } }

    /// Starts the feed: call from the application's `onServerRunning`.
    public func serverIsRunning() { runningContinuation.yield() }

    public func run() async throws {
        let poster = poster
        // Wait for the server; if it fails (e.g. the port is taken), the group cancels this task.
        var started = false
        for await _ in running.cancelOnGracefulShutdown() {
            started = true
            break
        }
        guard started else { return }
        let outcome = await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await poster.run(concurrency: 4)
            } onGracefulShutdown: {
                poster.stop()
            }
        } onCancel: {
            poster.stop()
        }
        lock.withLock { result = outcome }
    }
}
