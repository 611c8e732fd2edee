import AsyncHTTPClient
import Foundation
import Logging
import MeterCore
import NIOCore
import NIOHTTP1
import WhatsAppWebhook

/// Where and how to reach Meta's Graph API.
public struct GraphClientSettings: Sendable {
    /// Scheme and host, e.g. `https://graph.facebook.com` (a test points it at a fake on loopback).
    public var baseURL: String
    /// The Graph API version in the path, e.g. `v24.0`.
    public var version: String
    /// A system-user or user access token with `whatsapp_business_management`. Sent in the
    /// `Authorization` header, never in a URL, so it stays out of logs.
    public var token: String
    /// For each request: to connect and get the answer's head, and then again at most to read its
    /// body (a body that does not end in time counts as a transport error, and is retried).
    public var timeout: TimeAmount
    /// Tries per request, the first included, when Meta throttles (HTTP 429, Graph codes 4, 17, 32,
    /// 613, 80007) or fails (5xx, transport errors).
    public var attempts: Int
    /// The first pause between tries; each next pause doubles (a `Retry-After` header wins when
    /// shorter than a minute).
    public var backoff: TimeAmount
    /// A bound on pages per field, against a paging loop.
    public var maximumPages: Int

    public static let defaultBaseURL = "https://graph.facebook.com"
    public static let defaultVersion = "v24.0"

    public init(
        baseURL: String = Self.defaultBaseURL, version: String = Self.defaultVersion, token: String,
        timeout: TimeAmount = .seconds(30), attempts: Int = 5, backoff: TimeAmount = .milliseconds(500),
        maximumPages: Int = 1_000
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.version = version
        self.token = token
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.maximumPages = maximumPages
    }
}

/// Why the Graph API could not be read.
public enum GraphClientError: Error, Sendable, CustomStringConvertible {
    /// Meta answered with an error in its layout (after the retries, when it was worth retrying).
    case meta(MetaGraphError, status: Int)
    /// An HTTP failure without Meta's error layout.
    case http(status: Int, excerpt: String)
    /// The answer was not JSON or not an analytics response.
    case unreadable(String)
    /// No answer: connection refused, timeout, TLS.
    case transport(String)
    /// A `paging.next` link to another host than the configured one: not followed (it would carry
    /// the token elsewhere).
    case foreignPage(String)
    case tooManyPages(Int)

    public var description: String {
        switch self {
        case .meta(let error, let status):
            if error.isTokenProblem {
                return "Meta refused the access token: \(error) (HTTP \(status)); pass a valid one with "
                    + "--graph-token or WAMETER_GRAPH_TOKEN"
            }
            return "Meta answered an error: \(error) (HTTP \(status))"
        case .http(let status, let excerpt): return "the Graph API answered HTTP \(status): \(excerpt)"
        case .unreadable(let reason): return "the Graph API's answer could not be read: \(reason)"
        case .transport(let reason): return "the Graph API could not be reached: \(reason)"
        case .foreignPage(let url): return "Meta's next page points to another host (\(url)); not followed"
        case .tooManyPages(let count): return "more than \(count) pages of analytics; stopped"
        }
    }
}

/// Reads analytics fields of a WhatsApp Business Account from the Graph API, page by page, with
/// timeouts and retries; answers parsed pages (reference §9).
public struct GraphAnalyticsClient: Sendable {
    let http: HTTPClient
    public let settings: GraphClientSettings
    let logger: Logger

    public init(http: HTTPClient, settings: GraphClientSettings, logger: Logger) {
        self.http = http
        self.settings = settings
        self.logger = logger
    }

    /// Every page of `field` for the account, following `paging.next`.
    public func pages(
        account: String, field: GraphField, calendar: BillingCalendar
    ) async throws -> [MetaAnalyticsPage] {
        let kind = GraphAnalyticsRequest.Field(rawValue: field.name)
        var url =
            "\(settings.baseURL)/\(settings.version)/\(Self.encodePath(account))?fields="
            + Self.encodeQuery(field.expansion)
        var pages: [MetaAnalyticsPage] = []
        while true {
            let json = try await get(url)
            let page: MetaAnalyticsPage
            do {
                page = try MetaAnalyticsPage.read(json, field: kind, calendar: calendar)
            } catch let problem as MetaAnalyticsPage.Problem {
                throw GraphClientError.unreadable(problem.description)
            }
            pages.append(page)
            guard let next = page.next, !page.cells.cells.isEmpty || page.points > 0 else { break }
            guard next.hasPrefix(settings.baseURL + "/") else { throw GraphClientError.foreignPage(next) }
            guard pages.count < settings.maximumPages else {
                throw GraphClientError.tooManyPages(settings.maximumPages)
            }
            url = next
        }
        return pages
    }

    /// One GET, retried while Meta throttles or fails; the parsed JSON of a 2xx answer.
    func get(_ url: String) async throws -> JSONValue {
        var pause = settings.backoff
        for attempt in 1...settings.attempts {
            let last = attempt == settings.attempts
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Authorization", value: "Bearer \(settings.token)")
            request.headers.add(name: "Accept", value: "application/json")
            let status: Int
            let body: ByteBuffer
            let retryAfter: TimeAmount?
            do {
                let response = try await http.execute(request, timeout: settings.timeout)
                status = Int(response.status.code)
                retryAfter = response.headers.first(name: "Retry-After").flatMap { Int64($0) }
                    .flatMap { $0 >= 0 && $0 <= 60 ? TimeAmount.seconds($0) : nil }
                body = try await response.body.collect(upTo: 64 << 20, within: settings.timeout)
            } catch {
                guard !last else { throw GraphClientError.transport("\(error)") }
                logger.warning("Graph API not reachable, retrying", metadata: ["attempt": "\(attempt)"])
                try await Task.sleep(for: .nanoseconds(pause.nanoseconds))
                pause = pause + pause
                continue
            }
            let json = try? JSONValue.parse(body.readableBytesView)
            let metaError = json.flatMap(MetaGraphError.of)
            let transient = status == 429 || status >= 500 || (metaError?.isThrottling ?? false)
            if transient && !last {
                let wait = retryAfter ?? pause
                logger.warning(
                    "Graph API throttled or failed, retrying",
                    metadata: ["status": "\(status)", "attempt": "\(attempt)", "code": "\(metaError?.code ?? 0)"])
                try await Task.sleep(for: .nanoseconds(wait.nanoseconds))
                pause = pause + pause
                continue
            }
            if let metaError { throw GraphClientError.meta(metaError, status: status) }
            guard (200..<300).contains(status) else {
                throw GraphClientError.http(status: status, excerpt: String(buffer: body).prefix(200).description)
            }
            guard let json else { throw GraphClientError.unreadable("not JSON") }
            return json
        }
        throw GraphClientError.transport("no attempt made")
    }

    static func encodeQuery(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func encodePath(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? text
    }
}
