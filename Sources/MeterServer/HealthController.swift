import Foundation
import HTTPTypes
import Hummingbird
import MeterStore

/// `GET /health`: 200 when the process is up and the database answers, 503 otherwise.
struct HealthController<Context: RequestContext> {
    let store: any LedgerStore

    func addRoutes(to router: Router<Context>) {
        router.get("health", use: health)
    }

    @Sendable func health(_ request: Request, context: Context) async throws -> Response {
        do {
            try await store.ping()
            return .json(Data(#"{"database":"ok","status":"ok"}"#.utf8))
        } catch {
            context.logger.error("health check: database unreachable", metadata: ["error": .string("\(error)")])
            return .json(Data(#"{"database":"unreachable","status":"unavailable"}"#.utf8), status: .serviceUnavailable)
        }
    }
}
