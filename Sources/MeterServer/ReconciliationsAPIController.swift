import Foundation
import HTTPTypes
import Hummingbird
import MeterCore
import MeterStore
import WhatsAppWebhook

/// `GET /api/v1/reconciliations`: the kept drift reports with Meta's analytics (serve's daily run,
/// `wameter reconcile --save`), newest first, each in the shape of `wameter reconcile --format json`.
/// A scoped token sees only its accounts' reports.
struct ReconciliationsAPIController<Context: AccessControlledContext> {
    let store: any LedgerStore

    static var defaultLimit: Int { 20 }
    static var maximumLimit: Int { 500 }

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("reconciliations", use: list)
    }

    struct Listing: ResponseEncodable {
        var reconciliations: [ReconciliationJSON]
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Listing {
        let access = try context.requireAccess()
        let listing = try ListingParameters(request, allowed: ["account", "month", "limit"])
        let parameters = listing.parameters
        var month: YearMonth?
        if let text = parameters["month"] {
            guard let parsed = YearMonth(String(text)) else {
                throw APIError(.badRequest, "month \(echoed(String(text))) is not YYYY-MM")
            }
            month = parsed
        }
        let limit = try listing.limit(standard: Self.defaultLimit, maximum: Self.maximumLimit)
        let requested = parameters.getAll("account")
        var accounts: [String]?
        if !requested.isEmpty || access != .all {
            let readable = try await store.accounts().filter(access.admits).map(\.id)
            if requested.isEmpty {
                accounts = readable
            } else {
                for id in requested where !readable.contains(id) {
                    throw APIError(.notFound, "unknown account \(echoed(id))")
                }
                accounts = requested
            }
        }
        let stored = try await store.reconciliations(accounts: accounts, month: month, limit: limit)
        let decoder = JSONDecoder()
        return Listing(
            reconciliations: try stored.map { try decoder.decode(ReconciliationJSON.self, from: Data($0.body.utf8)) })
    }
}
