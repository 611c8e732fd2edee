import Foundation
import HTTPTypes
import Hummingbird

/// Answers a request no route serves with the same JSON error body as every other error, naming
/// what was asked: 405 with `Allow` for a path served with other methods (`DELETE /webhook`), 404
/// for a path not served at all (`GET /reprot`), instead of an empty 404.
struct UnknownRouteMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = ServedRoutes.methods(for: request.uri.path)
            // A served path and method whose handler said 404 itself keeps its answer.
            if !allowed.isEmpty, !allowed.contains(request.method.rawValue) {
                throw APIError(
                    .methodNotAllowed,
                    "\(request.method.rawValue) is not served for \(request.uri.path.prefix(200)); "
                        + "it takes \(allowed.joined(separator: ", "))",
                    headers: [.allow: allowed.joined(separator: ", ")])
            }
            guard allowed.isEmpty else { throw error }
            throw APIError(
                .notFound,
                "no route for \(request.method.rawValue) \(request.uri.path.prefix(200)) "
                    + "(routes: GET|POST /webhook, GET /health, GET /api/v1/accounts, "
                    + "GET /api/v1/accounts/{id}/report?month=YYYY-MM, GET /api/v1/insights, GET /graph/{version}/{waba}, "
                    + "GET / and /accounts/{id} (dashboard), GET|POST /sign-in, GET /metrics; all in GET /openapi.json)"
            )
        }
    }
}

/// The paths wameter serves and their methods, read once from the OpenAPI document (which
/// `OpenAPITests` keeps equal to the router's routes).
enum ServedRoutes {
    /// Path templates split into segments (`{id}` matches any one segment), with their methods.
    static let routes: [(segments: [Substring], methods: [String])] = {
        guard
            let document = try? JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any],
            let paths = document["paths"] as? [String: [String: Any]]
        else { return [] }
        return paths.map { path, operations in
            (path.split(separator: "/"), operations.keys.map { $0.uppercased() }.sorted())
        }
    }()

    /// The methods served for a request path; empty when none is.
    static func methods(for path: String) -> [String] {
        let segments = path.split(separator: "/")
        var methods: Set<String> = []
        for route in routes where route.segments.count == segments.count {
            let matches = zip(route.segments, segments).allSatisfy { template, segment in
                template.hasPrefix("{") || template == segment
            }
            if matches { methods.formUnion(route.methods) }
        }
        // Hummingbird answers HEAD wherever GET is served.
        if methods.contains("GET") { methods.insert("HEAD") }
        return methods.sorted()
    }
}
