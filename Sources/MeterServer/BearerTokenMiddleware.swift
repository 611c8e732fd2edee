import Hummingbird
import MeterCore

/// `Authorization: Bearer <WAMETER_API_TOKEN>`, compared in constant time; 401 otherwise.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
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
