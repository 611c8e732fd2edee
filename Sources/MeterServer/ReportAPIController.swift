import Foundation
import HTTPTypes
import Hummingbird
import MeterCore
import MeterStore
import WhatsAppWebhook

/// `/api/v1`: accounts and month reports, the same JSON as `wameter report --format json`.
struct ReportAPIController<Context: RequestContext> {
    let store: any LedgerStore
    let apiToken: String
    let clock: @Sendable () -> Int64

    func addRoutes(to group: RouterGroup<Context>) {
        group.add(middleware: BearerTokenMiddleware(token: apiToken))
        group.get("accounts", use: accounts)
        group.get("accounts/{id}/report", use: report)
    }

    @Sendable func accounts(_ request: Request, context: Context) async throws -> Response {
        let accounts = try await store.accounts().map(AccountJSON.init)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return .json(try encoder.encode(accounts))
    }

    @Sendable func report(_ request: Request, context: Context) async throws -> Response {
        // Path segments arrive percent-encoded; an id that is not a valid account id cannot exist.
        let segment = try context.parameters.require("id")
        guard let id = segment.removingPercentEncoding, InputRules.accountIdProblem(id) == nil else {
            throw APIError(.notFound, "unknown account \(segment)")
        }
        guard let text = request.uri.queryParameters["month"] else {
            throw APIError(.badRequest, "month is required, as ?month=YYYY-MM")
        }
        guard let month = YearMonth(String(text)) else {
            throw APIError(.badRequest, "month \"\(text)\" is not YYYY-MM")
        }
        do {
            return .json(try await store.report(accountID: id, month: month, now: clock()).jsonData())
        } catch LedgerStoreError.unknownAccount {
            throw APIError(.notFound, "unknown account \(id)")
        }
    }
}

/// What `/api/v1/accounts` lists for each account.
struct AccountJSON: Codable {
    var id: String
    var name: String?
    var timezone: String
    var currency: String
    var portfolio: String?
    var autoCreated: Bool

    enum CodingKeys: String, CodingKey {
        case id, name, timezone, currency, portfolio
        case autoCreated = "auto_created"
    }

    init(_ account: Account) {
        id = account.id
        name = account.name
        timezone = account.timezone
        currency = account.currency
        portfolio = account.portfolio
        autoCreated = account.autoCreated
    }
}

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
