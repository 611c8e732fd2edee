import Hummingbird
import NIOCore

/// `GET /metrics`: `ServerMetrics` in Prometheus' text format, for a scraper configured with the
/// API token as its bearer token (the counts say how busy each status is; not for the public).
struct MetricsController<Context: RequestContext> {
    let metrics: ServerMetrics
    let version: LedgerVersion

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("metrics", use: scrape)
    }

    @Sendable func scrape(_ request: Request, context: Context) async throws -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition(ledgerVersion: version.current))))
    }
}

/// Counts the requests being handled, on every route.
struct InFlightMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        metrics.requestStarted()
        defer { metrics.requestEnded() }
        return try await next(request, context)
    }
}

/// Counts every answer of `POST /webhook` by status, errors included.
struct WebhookMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        do {
            let response = try await next(request, context)
            metrics.webhookAnswered(status: response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            metrics.webhookAnswered(status: error.status.code)
            throw error
        }
    }
}
