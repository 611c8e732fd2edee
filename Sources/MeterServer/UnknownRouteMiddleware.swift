import HTTPTypes
import Hummingbird

/// Answers a request no route serves (`GET /`, a typo, a method a path does not take) with the
/// same JSON error body as every other error, naming what was asked, instead of an empty 404.
struct UnknownRouteMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            throw APIError(
                .notFound,
                "no route for \(request.method.rawValue) \(request.uri.path) "
                    + "(routes: GET|POST /webhook, GET /health, GET /api/v1/accounts, "
                    + "GET /api/v1/accounts/{id}/report?month=YYYY-MM, GET /api/v1/insights, GET /graph/{version}/{waba}, "
                    + "GET / and /accounts/{id} (dashboard), GET|POST /sign-in, GET /metrics; all in GET /openapi.json)"
            )
        }
    }
}
