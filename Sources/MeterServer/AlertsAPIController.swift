import Foundation
import HTTPTypes
import Hummingbird
import MeterCore
import MeterStore
import WhatsAppWebhook

/// `GET /api/v1/alerts`: the alerts raised, newest first, with how each delivery went. A scoped
/// token sees its accounts' alerts (and, for a portfolio token, the portfolio's budget alerts).
/// Targets are shown by host only: a Slack webhook URL's path is its secret.
struct AlertsAPIController<Context: AccessControlledContext> {
    let store: any LedgerStore

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("alerts", use: list)
    }

    struct Listing: ResponseEncodable {
        var alerts: [AlertJSON]
    }

    struct AlertJSON: Encodable {
        struct Delivery: Encodable {
            var host: String
            var format: String
            var attempts: Int
            var deliveredAt: Int64?
            var abandoned: Bool
            var nextAttemptAt: Int64?
            var lastError: String?

            enum CodingKeys: String, CodingKey {
                case host, format, attempts, abandoned
                case deliveredAt = "delivered_at"
                case nextAttemptAt = "next_attempt_at"
                case lastError = "last_error"
            }
        }

        var alert: Alert
        var deliveries: [Delivery]

        func encode(to encoder: any Encoder) throws {
            try alert.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(deliveries, forKey: Key(stringValue: "deliveries")!)
        }

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(_ stored: StoredAlert) {
            alert = stored.alert
            deliveries = stored.deliveries.map {
                Delivery(
                    host: $0.target.host, format: $0.target.format.rawValue, attempts: $0.attempts,
                    deliveredAt: $0.deliveredAt, abandoned: $0.abandoned,
                    nextAttemptAt: $0.deliveredAt == nil && !$0.abandoned ? $0.nextAttemptAt : nil,
                    lastError: $0.lastError)
            }
        }
    }

    static var maximumLimit: Int { 500 }

    @Sendable func list(_ request: Request, context: Context) async throws -> Listing {
        let access = try context.requireAccess()
        let listing = try ListingParameters(request, allowed: ["account", "limit"])
        let parameters = listing.parameters
        let limit = try listing.limit(standard: 50, maximum: Self.maximumLimit)
        let readable = try await store.accounts().filter(access.admits)
        var visibility = AlertVisibility(access, readable: readable)
        if let id = parameters["account"].map(String.init) {
            guard let account = readable.first(where: { $0.id == id }) else {
                throw APIError(.notFound, "unknown account \(echoed(id))")
            }
            visibility = AlertVisibility(accounts: [id], portfolios: account.portfolio.map { [$0] } ?? [])
        }
        let stored = try await store.alerts(visibleTo: visibility, limit: limit)
        return Listing(alerts: stored.map(AlertJSON.init))
    }
}
