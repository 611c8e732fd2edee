import Foundation
import MeterCore
import MeterStore
import WhatsAppWebhook

/// Builds webhook bodies for store tests and feeds them to a real store.
public struct LedgerScenario {
    public static let builder = WebhookBodyBuilder()
    public static let decoder = WebhookDecoder()

    public static func cbp(_ category: String, billable: Bool = true) -> WebhookBodyBuilder.Pricing {
        .init(model: "CBP", category: category, billable: billable)
    }

    public static func pmp(_ category: String, type: String = "regular") -> WebhookBodyBuilder.Pricing {
        .init(model: "PMP", category: category, billable: type == "regular", type: type)
    }

    public static func status(
        account: String = "A", _ id: String, _ status: String, at time: Int64, to recipient: String = "919876543210",
        pricing: WebhookBodyBuilder.Pricing? = nil, conversation: String? = nil, origin: String? = nil,
        error: Int? = nil, phone: String = "106540352242922"
    ) -> Data {
        builder.body(
            account: account, phoneNumberId: phone,
            status: .init(
                messageId: id, status: status, timestamp: time, recipientId: recipient, pricing: pricing,
                conversation: conversation.map { .init(id: $0, originType: origin ?? pricing?.category ?? "service") },
                errorCode: error))
    }

    /// A body with one status (and its contact, if any) for one account and phone number.
    static func body(
        account: String, _ status: WebhookBodyBuilder.Status, contact: WebhookBodyBuilder.Contact? = nil
    ) -> Data {
        builder.body([
            (
                account,
                [
                    .init(
                        phoneNumberId: "106540352242922", statuses: [status], contacts: contact.map { [$0] } ?? [])
                ]
            )
        ])
    }

    /// A group message delivered to one member (reference §11.14).
    public static func groupDelivery(
        account: String = "A", _ id: String, member: String, at time: Int64, category: String = "group_marketing"
    ) -> Data {
        body(
            account: account,
            .init(
                messageId: id, status: "delivered", timestamp: time, recipientId: "120363045067@g.us",
                pricing: pmp(category), recipientType: "group", recipientParticipantId: member))
    }

    /// A group message's own `sent` status (no member).
    public static func groupSent(account: String = "A", _ id: String, at time: Int64) -> Data {
        body(
            account: account,
            .init(
                messageId: id, status: "sent", timestamp: time, recipientId: "120363045067@g.us",
                recipientType: "group"))
    }

    /// A delivery to a business-scoped user id: no phone number, maybe a contact country (§11.12).
    public static func bsuidDelivery(
        account: String = "A", _ id: String, at time: Int64, countryCode: String?, category: String = "marketing"
    ) -> Data {
        body(
            account: account,
            .init(
                messageId: id, status: "delivered", timestamp: time, recipientId: "", pricing: pmp(category),
                recipientUserId: "user.\(id)"),
            contact: .init(waId: "", userId: "user.\(id)", countryCode: countryCode))
    }

    /// A max-price Marketing Messages API delivery carrying `pricing.cost` (§11.13).
    public static func costedDelivery(
        account: String = "A", _ id: String, at time: Int64, to recipient: String = "919876543210", amount: String,
        currency: String = "USD", category: String = "marketing_lite"
    ) -> Data {
        var pricing = pmp(category)
        pricing.cost = (amount, currency)
        return body(
            account: account,
            .init(messageId: id, status: "delivered", timestamp: time, recipientId: recipient, pricing: pricing))
    }

    /// Meta's volume-tier change webhook (§11.15).
    public static func tierUpdate(
        account: String = "A", month: String, region: String, category: String, tier: String, at time: Int64
    ) -> Data {
        builder.tierUpdateBody(
            account: account, time: time, pricingCategory: category, tier: tier, effectiveMonth: month, region: region)
    }

    public static func inbound(account: String = "A", _ id: String, from: String, at time: Int64) -> Data {
        builder.body([
            (
                account,
                [.init(phoneNumberId: "P1", inbound: [.init(messageId: id, from: from, timestamp: time, text: "hi")])]
            )
        ])
    }

    @discardableResult
    public static func ingest(
        _ store: any LedgerStore, _ bodies: [Data], onPremisesAccount: String = "on-premises"
    ) async throws
        -> IngestOutcome
    {
        let received = try bodies.map {
            try ReceivedBody.decode(
                $0, decoder: decoder, receivedAt: 0, source: "test", onPremisesAccount: onPremisesAccount)
        }
        return try await store.ingest(received)
    }

    /// One body at a time, as the server receives them.
    public static func ingestOneByOne(_ store: any LedgerStore, _ bodies: [Data]) async throws {
        for body in bodies { try await ingest(store, [body]) }
    }

    public static func report(
        _ store: any LedgerStore, _ account: String = "A", _ month: String, now: Int64 = 2_000_000_000
    )
        async throws -> Report
    {
        try await store.report(accountID: account, month: YearMonth(month)!, now: now)
    }
}

/// Epoch seconds for a UTC date-time, for readable tests.
public func utc(_ text: String) -> Int64 {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return Int64(formatter.date(from: text)!.timeIntervalSince1970)
}
