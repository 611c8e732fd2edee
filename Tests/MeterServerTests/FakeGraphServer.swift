import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MeterCore
import NIOCore
import Synchronization

/// A stand-in for Meta's Graph API on loopback, for reconciliation tests: it answers analytics
/// fields from canned data points in Meta's layout, a few per page with `paging.next` links, and
/// can be told to throttle, fail, refuse the token, hide cost, or refuse `call_analytics`.
actor FakeGraph {
    /// Data points per field name, each a JSON object's text.
    var points: [String: [String]] = [:]
    var pageSize = 3
    /// Statuses to answer (in order, one per request) before answering normally: 429, 500, 503.
    var failures: [Int] = []
    var tokenExpired = false
    var costUnavailable = false
    var refuseCalls = false
    /// A next-page link to another host, to see it refused.
    var foreignNext = false
    /// Answers to cut short, one per request: the head and part of the body, then nothing more
    /// until the test is done (`done`).
    var stalledBodies = 0
    /// Set when the test is done: a stalled answer ends then (the fake's shutdown waits for it).
    nonisolated let done = Atomic<Bool>(false)
    /// Every request: path with query, and the Authorization header.
    private(set) var requests: [(target: String, authorization: String?)] = []

    func set(_ field: String, points: [String]) { self.points[field] = points }
    func takeStall() -> Bool {
        guard stalledBodies > 0 else { return false }
        stalledBodies -= 1
        return true
    }
    func configure(_ change: @Sendable (isolated FakeGraph) -> Void) { change(self) }

    func answer(path: String, query: [String: String], authorization: String?, host: String) -> (Int, String) {
        requests.append(
            (
                path + "?" + query.keys.sorted().map { "\($0)=\(query[$0]!)" }.joined(separator: "&"),
                authorization
            ))
        if !failures.isEmpty {
            let status = failures.removeFirst()
            return (status, status == 429 ? Self.error("(#80007) Rate limit hit", code: 80007) : "<html>oops</html>")
        }
        guard authorization == "Bearer token-1" || query["access_token"] == "token-1", !tokenExpired else {
            return (
                400,
                Self.error(
                    "Error validating access token: Session has expired on Tuesday, 01-Dec-26 10:00:00 PST.",
                    code: 190, subcode: 463)
            )
        }
        let parts = path.split(separator: "/").map(String.init)  // v24.0, WABA[, field]
        let field: String
        var page = 0
        var since = Int64.min
        var until = Int64.max
        if parts.count == 3 {
            field = parts[2]
            page = Int(query["after"] ?? "") ?? 0
            since = Int64(query["since"] ?? "") ?? since
            until = Int64(query["until"] ?? "") ?? until
        } else {
            guard let fields = query["fields"], let parsed = try? GraphField.parse(fields), let first = parsed.first
            else { return (400, Self.error("(#100) fields is required", code: 100)) }
            field = first.name
            since = first.modifiers["start"]?.first.flatMap { Int64($0) } ?? since
            until = first.modifiers["end"]?.first.flatMap { Int64($0) } ?? until
            if refuseCalls && field == "call_analytics" {
                return (400, Self.error("(#100) Tried accessing nonexisting field (call_analytics)", code: 100))
            }
            if costUnavailable && (first.modifiers["metric_types"] ?? []).contains("COST") {
                return (400, Self.error("(#100) Cost not available for businesses billed through a partner", code: 100))
            }
        }
        // Only the data points that start within the period asked for, as Meta answers.
        let all = (points[field] ?? []).filter { text in
            guard let range = text.range(of: #""start":"#) else { return true }
            let digits = text[range.upperBound...].prefix { $0.isNumber }
            guard let start = Int64(digits) else { return true }
            return start >= since && start < until
        }
        let slice = all.dropFirst(page * pageSize).prefix(pageSize)
        let more = (page + 1) * pageSize < all.count
        var paging = ""
        if more {
            let base = foreignNext ? "http://elsewhere.example" : "http://\(host)"
            paging =
                #","paging":{"cursors":{"after":"\#(page + 1)"},"next":"\#(base)/\#(parts[0])/\#(parts[1])/\#(field)?after=\#(page + 1)&since=\#(since)&until=\#(until)&access_token=token-1"}"#
        }
        let data = #"{"data":[{"data_points":[\#(slice.joined(separator: ","))]}]\#(paging)}"#
        return (200, parts.count == 3 ? data : #"{"\#(field)":\#(data),"id":"\#(parts[1])"}"#)
    }

    static func error(_ message: String, code: Int, subcode: Int? = nil) -> String {
        let sub = subcode.map { #","error_subcode":\#($0)"# } ?? ""
        return #"{"error":{"message":"\#(message)","type":"OAuthException","code":\#(code)\#(sub),"fbtrace_id":"AbC"}}"#
    }

    /// The Hummingbird application serving this fake.
    nonisolated func application() -> some ApplicationProtocol {
        let router = Router()
        let answer = { @Sendable (request: Request, context: BasicRequestContext) async throws -> Response in
            var query: [String: String] = [:]
            for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
            let (status, body) = await self.answer(
                path: request.uri.path, query: query, authorization: request.headers[.authorization],
                host: request.head.authority ?? "127.0.0.1")
            if await self.takeStall() {
                return Response(
                    status: .init(code: status), headers: [.contentType: "application/json"],
                    body: ResponseBody { writer in
                        try await writer.write(ByteBuffer(string: String(body.prefix(body.count / 2))))
                        while !self.done.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(50)) }
                    })
            }
            return Response(
                status: .init(code: status), headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("{version}/{waba}", use: answer)
        router.get("{version}/{waba}/{edge}", use: answer)
        var logger = Logger(label: "fake-graph")
        logger.logLevel = .critical
        return Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
    }
}
