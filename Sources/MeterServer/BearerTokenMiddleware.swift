import Foundation
import Hummingbird
import MeterCore

/// `Authorization: Bearer <token>`: the administrator token or a scoped token (`APIAccess`); or,
/// for a `GET` from the dashboard (its CSV downloads), a signed-in session cookie. Sets the
/// request's scope for the controllers; 401 otherwise. With `needsAllAccounts`, a token scoped to
/// some accounts is refused with 403 (for `/metrics`, which describes the whole server).
struct BearerTokenMiddleware<Context: AccessControlledContext>: RouterMiddleware {
    let access: APIAccess
    var sessions: DashboardSessions? = nil
    var needsAllAccounts = false

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        var context = context
        if request.method == .get, request.headers[.authorization] == nil, let sessions,
            let id = DashboardController<Context>.sessionID(request),
            let grant = try await sessions.grant(id, now: access.clock(), access: access)
        {
            context.access = try checked(grant)
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
            let grant = try await access.grant(
                for: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        else {
            throw APIError(
                .unauthorized,
                "missing, wrong, revoked or expired bearer token "
                    + "(Authorization: Bearer <WAMETER_API_TOKEN or a token from `wameter tokens create`>)",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        context.access = try checked(grant)
        return try await next(request, context)
    }

    private func checked(_ grant: APIAccess.Grant) throws -> AccessScope {
        if needsAllAccounts, grant.scope != .all {
            throw APIError(
                .forbidden, "this token reads \(grant.scope) only; this route needs a token for all accounts")
        }
        return grant.scope
    }
}
