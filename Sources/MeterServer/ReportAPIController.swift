import Foundation
import HTTPTypes
import Hummingbird
import MeterCore
import MeterStore
import WhatsAppWebhook

/// `/api/v1`: accounts and month reports, the same JSON as `wameter report --format json`. The group
/// it is given checks the bearer token and sets its scope: a scoped token lists only its accounts,
/// and another account answers 404 as if it did not exist.
struct ReportAPIController<Context: AccessControlledContext> {
    let store: any LedgerStore
    let clock: @Sendable () -> Int64

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("accounts", use: accounts)
        group.get("accounts/{id}/report", use: report)
    }

    @Sendable func accounts(_ request: Request, context: Context) async throws -> [AccountJSON] {
        let access = try context.requireAccess()
        return try await store.accounts().filter(access.admits).map(AccountJSON.init)
    }

    @Sendable func report(_ request: Request, context: Context) async throws -> ReportJSON {
        let access = try context.requireAccess()
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
        if access != .all {
            guard let account = try await store.account(id: id), access.admits(account) else {
                throw APIError(.notFound, "unknown account \(id)")
            }
        }
        do {
            return ReportJSON(try await store.report(accountID: id, month: month, now: clock()))
        } catch LedgerStoreError.unknownAccount {
            throw APIError(.notFound, "unknown account \(id)")
        }
    }
}
