import AsyncHTTPClient
import Foundation
import NIOCore
import TrafficSimulator
import WhatsAppWebhook

/// Sends simulated webhooks as Meta does: signed POSTs, several connections at once, paced to a
/// target rate. Used by `simulate --url` and by `demo`.
actor WebhookPoster {
    struct Limits {
        var count: Int?
        var duration: Double?
        /// Bodies per second; `nil` sends as fast as the server answers.
        var rate: Double?
    }

    struct Outcome {
        var stats: SimulationStats
        var seconds: Double
        /// Responses by HTTP status; `0` counts requests that got no response (connection refused, …).
        var responses: [Int: Int]
    }

    private var simulator: TrafficSimulator
    private let limits: Limits
    private let url: String
    private let appSecret: String
    private var handedOut = 0
    private var stopped = false
    private var responses: [Int: Int] = [:]
    private let started = ContinuousClock.now

    init(simulator: TrafficSimulator, url: String, appSecret: String, limits: Limits) {
        self.simulator = simulator
        self.url = url
        self.appSecret = appSecret
        self.limits = limits
    }

    /// Runs `concurrency` senders until the count or duration is reached, or the task is cancelled.
    func run(concurrency: Int) async -> Outcome {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = concurrency
        configuration.timeout.connect = .seconds(5)
        configuration.timeout.read = .seconds(30)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask { await self.send(with: client) }
            }
        }
        try? await client.shutdown()
        return outcome
    }

    var outcome: Outcome {
        let elapsed = ContinuousClock.now - started
        return Outcome(
            stats: simulator.stats,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            responses: responses)
    }

    /// Stops handing out bodies; requests in flight finish and are counted.
    func stop() { stopped = true }

    /// The next body and when to send it, or `nil` when a limit is reached or sending was stopped.
    private func take() -> (body: SimulatedBody, due: ContinuousClock.Instant)? {
        if stopped { return nil }
        if let count = limits.count, handedOut >= count { return nil }
        if let duration = limits.duration, ContinuousClock.now - started >= .milliseconds(Int(duration * 1_000)) {
            return nil
        }
        let due = limits.rate.map { started + .microseconds(Int(Double(handedOut) / $0 * 1_000_000)) } ?? started
        handedOut += 1
        return (simulator.next(), due)
    }

    private func record(_ status: Int) { responses[status, default: 0] += 1 }

    private func send(with client: HTTPClient) async {
        while !Task.isCancelled, let (body, due) = take() {
            if due > .now {
                do { try await Task.sleep(until: due, clock: .continuous) } catch { return }
            }
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(
                name: "X-Hub-Signature-256", value: WebhookSignature.header(for: body.bytes, appSecret: appSecret))
            request.body = .bytes(ByteBuffer(data: body.bytes))
            do {
                let response = try await client.execute(request, timeout: .seconds(30))
                _ = try? await response.body.collect(upTo: 1 << 20)
                record(Int(response.status.code))
            } catch {
                record(0)
            }
        }
    }
}

extension WebhookPoster.Outcome {
    var summary: String {
        let responses = self.responses.sorted { $0.key < $1.key }.map {
            $0.key == 0 ? "\($0.value) without response" : "\($0.value) × \($0.key)"
        }.joined(separator: ", ")
        let sent = self.responses.values.reduce(0, +)
        let rate = seconds > 0 ? Double(sent) / seconds : 0
        return "generated \(stats.summary)\nsent \(sent) in \(String(format: "%.2f", seconds)) s: "
            + "\(String(format: "%.0f", rate)) bodies/s; responses: \(responses.isEmpty ? "none" : responses)"
    }
}
