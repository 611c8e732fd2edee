import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import TrafficSimulator
import WhatsAppWebhook

/// Sends simulated webhooks as Meta does: signed POSTs over several keep-alive connections, paced
/// to a target rate. Used by `simulate --url` and by `demo`.
///
/// Built on SwiftNIO channels rather than a general HTTP client: as the load generator of the server
/// benchmark it shares the machine with the server, so each request must cost as little as possible
/// (a general client's per-request task hops halved the rate it could drive).
public final class WebhookPoster: Sendable {
    public struct Limits: Sendable {
        public var count: Int?
        public var duration: Double?
        /// Bodies per second; `nil` sends as fast as the server answers.
        public var rate: Double?

        public init(count: Int? = nil, duration: Double? = nil, rate: Double? = nil) {
            self.count = count
            self.duration = duration
            self.rate = rate
        }
    }

    public struct Outcome: Sendable {
        public var stats: SimulationStats
        public var seconds: Double
        /// Responses by HTTP status; `0` counts requests that got no response.
        public var responses: [Int: Int]
        /// Connections that could not be opened, and why the first one failed.
        public var failedConnections: Int
        public var connectionError: String?
    }

    public struct Target: Sendable {
        public var host: String
        public var port: Int
        public var path: String

        /// `http://host[:port]/path` (plain HTTP: the simulator talks to a server or proxy nearby).
        public init?(_ url: String) {
            guard let components = URLComponents(string: url), components.scheme == "http",
                let host = components.host, !host.isEmpty
            else { return nil }
            self.host = host
            port = components.port ?? 80
            path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        }
    }

    /// What every connection takes its next body from, and reports its responses to.
    private struct State {
        var simulator: TrafficSimulator
        var handedOut = 0
        var stopped = false
        var responses: [Int: Int] = [:]
        var failedConnections = 0
        var connectionError: String?
    }

    private let state: NIOLockedValueBox<State>
    private let limits: Limits
    private let target: Target
    private let appSecret: String
    private let started = NIODeadline.now()

    public init(simulator: TrafficSimulator, target: Target, appSecret: String, limits: Limits) {
        state = NIOLockedValueBox(State(simulator: simulator))
        self.target = target
        self.appSecret = appSecret
        self.limits = limits
    }

    /// Stops handing out bodies; requests in flight finish and are counted.
    public func stop() { state.withLockedValue { $0.stopped = true } }

    /// Runs `concurrency` connections until the count or duration is reached, or `stop()`.
    public func run(concurrency: Int) async -> Outcome {
        let group = MultiThreadedEventLoopGroup.singleton
        var closed: [EventLoopFuture<Void>] = []
        for _ in 0..<concurrency {
            let done = group.next().makePromise(of: Void.self)
            let bootstrap = ClientBootstrap(group: group)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .connectTimeout(.seconds(5))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(PostingHandler(poster: self, done: done))
                    }
                }
            bootstrap.connect(host: target.host, port: target.port).whenFailure { error in
                self.state.withLockedValue {
                    $0.failedConnections += 1
                    $0.connectionError = $0.connectionError ?? "\(error)"
                }
                done.succeed()
            }
            closed.append(done.futureResult)
        }
        for future in closed { try? await future.get() }
        return outcome
    }

    public var outcome: Outcome {
        let elapsed = NIODeadline.now() - started
        return state.withLockedValue {
            Outcome(
                stats: $0.simulator.stats, seconds: Double(elapsed.nanoseconds) / 1e9, responses: $0.responses,
                failedConnections: $0.failedConnections, connectionError: $0.connectionError)
        }
    }

    /// The next body and when it is due, or `nil` when a limit is reached or sending was stopped.
    fileprivate func take() -> (body: SimulatedBody, due: NIODeadline)? {
        state.withLockedValue { state in
            if state.stopped { return nil }
            if let count = limits.count, state.handedOut >= count { return nil }
            if let duration = limits.duration, NIODeadline.now() - started >= .milliseconds(Int64(duration * 1_000)) {
                return nil
            }
            let due = limits.rate.map { started + .nanoseconds(Int64(Double(state.handedOut) / $0 * 1e9)) } ?? started
            state.handedOut += 1
            return (state.simulator.next(), due)
        }
    }

    fileprivate func record(_ tally: [Int: Int]) {
        state.withLockedValue { $0.responses.merge(tally, uniquingKeysWith: +) }
    }

    fileprivate func request(for body: SimulatedBody) -> (HTTPRequestHead, ByteBuffer) {
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target.path)
        head.headers.add(name: "Host", value: "\(target.host):\(target.port)")
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: String(body.bytes.count))
        head.headers.add(
            name: "X-Hub-Signature-256", value: WebhookSignature.header(for: body.bytes, appSecret: appSecret))
        return (head, ByteBuffer(bytes: body.bytes))
    }
}

/// One keep-alive connection: sends a body, waits for the whole response, sends the next.
private final class PostingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let poster: WebhookPoster
    private let done: EventLoopPromise<Void>
    /// Counted on the connection's event loop, handed over once when it closes.
    private var tally: [Int: Int] = [:]
    private var inFlight = false
    private var status = 0

    init(poster: WebhookPoster, done: EventLoopPromise<Void>) {
        self.poster = poster
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        sendNext(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body:
            break
        case .end:
            inFlight = false
            tally[status, default: 0] += 1
            sendNext(context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if inFlight { tally[0, default: 0] += 1 }
        poster.record(tally)
        tally = [:]
        done.succeed()
    }

    private func sendNext(context: ChannelHandlerContext) {
        guard let (body, due) = poster.take() else {
            context.close(promise: nil)
            return
        }
        let (head, buffer) = poster.request(for: body)
        inFlight = true
        let write = { [self] in
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        if due > .now() {
            context.eventLoop.assumeIsolated().scheduleTask(deadline: due) { write() }
        } else {
            write()
        }
    }
}

extension WebhookPoster.Outcome {
    public var summary: String {
        let responses = self.responses.sorted { $0.key < $1.key }.map {
            $0.key == 0 ? "\($0.value) without response" : "\($0.value) × \($0.key)"
        }.joined(separator: ", ")
        let sent = self.responses.values.reduce(0, +)
        let rate = seconds > 0 ? Double(sent) / seconds : 0
        var text = "generated \(stats.summary)\nsent \(sent) in \(String(format: "%.2f", seconds)) s: "
        text += "\(String(format: "%.0f", rate)) bodies/s; responses: \(responses.isEmpty ? "none" : responses)"
        if failedConnections > 0 {
            text += "\n\(failedConnections) connection(s) could not be opened: \(connectionError ?? "unknown error")"
        }
        return text
    }
}
