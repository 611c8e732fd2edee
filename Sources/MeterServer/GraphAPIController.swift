import Foundation
import HTTPTypes
import Hummingbird
import MeterCore
import MeterStore
import WhatsAppWebhook

/// `GET /graph/{version}/{WABA_ID}?fields=…`: Meta's `analytics`, `conversation_analytics` and
/// `pricing_analytics` fields in Meta's request and response layout, answered exactly from the
/// ledger, so that Graph API scripts and dashboards can point at wameter. The token is the API
/// token or a scoped token, as a bearer header or as the `access_token` parameter Graph clients
/// send (an account outside a scoped token's reach is an unknown object, as Meta answers for an
/// object the token cannot see); errors are in Meta's shape.
struct GraphAPIController<Context: RequestContext> {
    let store: any LedgerStore
    let access: APIAccess
    let clock: @Sendable () -> Int64

    func addRoutes(to router: Router<Context>) {
        router.get("graph/{version}/{waba}", use: analytics)
    }

    @Sendable func analytics(_ request: Request, context: Context) async throws -> Response {
        do {
            let scope = try await authenticate(request)
            let segment = try context.parameters.require("waba")
            guard let id = segment.removingPercentEncoding, InputRules.accountIdProblem(id) == nil,
                let account = try await store.account(id: id), scope.admits(account)
            else { throw GraphError.unknownObject(segment) }
            guard let calendar = BillingCalendar(timezoneIdentifier: account.timezone) else {
                throw GraphError.invalidParameter("the account's time zone \(account.timezone) is unknown")
            }
            guard let fields = request.uri.queryParameters["fields"].map(String.init), !fields.isEmpty else {
                throw GraphError.invalidParameter("fields is required, e.g. fields=pricing_analytics.start(…).end(…)")
            }
            var body: [String: GraphJSON] = ["id": .string(id)]
            let requests = try GraphField.parse(fields).map { field throws(GraphError) in
                try GraphAnalyticsRequest.parse(field)
            }
            for graphRequest in requests {
                let query = graphRequest.query(calendar: calendar)
                let result = try await store.insights(scope: .accounts([id]), query: query, now: clock())
                body[graphRequest.field.rawValue] = graphRequest.response(result, calendar: calendar)
            }
            return .json(GraphJSON.object(body).data())
        } catch let error as GraphError {
            let status: HTTPResponse.Status = error == .invalidToken ? .unauthorized : .badRequest
            let body = GraphJSON.object([
                "error": .object([
                    "message": .string(error.message), "type": .string(error.type), "code": .integer(error.code),
                ])
            ])
            return .json(body.data(), status: status)
        }
    }

    /// The scope of the token from `Authorization: Bearer` or `access_token`.
    private func authenticate(_ request: Request) async throws -> AccessScope {
        var offered = request.uri.queryParameters["access_token"].map(String.init)
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            offered = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        guard let offered, let grant = try await access.grant(for: offered) else { throw GraphError.invalidToken }
        return grant.scope
    }
}
