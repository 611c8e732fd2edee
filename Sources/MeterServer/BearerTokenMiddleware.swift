import Foundation
import Hummingbird
import MeterCore

/// `Authorization: Bearer <WAMETER_API_TOKEN>`, compared in constant time; or, for a `GET` from
/// the dashboard (its CSV downloads), a signed-in session cookie. 401 otherwise.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String
    var sessions: DashboardSessions? = nil
    var clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        if request.method == .get, request.headers[.authorization] == nil, let sessions,
            let id = DashboardController<Context>.sessionID(request), sessions.isValid(id, now: clock())
        {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
            constantTimeEqual(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces), token)
        else {
            throw APIError(
                .unauthorized, "missing or wrong bearer token (Authorization: Bearer <WAMETER_API_TOKEN>)",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        return try await next(request, context)
    }
}
