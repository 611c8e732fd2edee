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
        error: Int? = nil
    ) -> Data {
        builder.body(
            account: account,
            status: .init(
                messageId: id, status: status, timestamp: time, recipientId: recipient, pricing: pricing,
                conversation: conversation.map { .init(id: $0, originType: origin ?? pricing?.category ?? "service") },
                errorCode: error))
    }

    /// A `messages` change with hand-written status objects (and optional contacts), for shapes the
    /// body builder does not make: group members, business-scoped user ids, max-price costs.
    public static func raw(account: String = "A", statuses: [String], contacts: String? = nil) -> Data {
        let contactsField = contacts.map { #""contacts":[\#($0)],"# } ?? ""
        return Data(
            #"""
            {"object":"whatsapp_business_account","entry":[{"id":"\#(account)","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},\#(contactsField)"statuses":[\#(statuses.joined(separator: ","))]}}]}]}
            """#.utf8)
    }

    static func pmpPricing(_ category: String) -> String {
        #"{"billable":true,"pricing_model":"PMP","type":"regular","category":"\#(category)"}"#
    }

    /// A group message delivered to one member (reference §11.14).
    public static func groupDelivery(
        account: String = "A", _ id: String, member: String, at time: Int64, category: String = "group_marketing"
    ) -> Data {
        raw(
            account: account,
            statuses: [
                #"{"id":"\#(id)","status":"delivered","timestamp":"\#(time)","recipient_id":"120363045067@g.us","recipient_type":"group","recipient_participant_id":"\#(member)","pricing":\#(pmpPricing(category))}"#
            ])
    }

    /// A group message's own `sent` status (no member).
    public static func groupSent(account: String = "A", _ id: String, at time: Int64) -> Data {
        raw(
            account: account,
            statuses: [
                #"{"id":"\#(id)","status":"sent","timestamp":"\#(time)","recipient_id":"120363045067@g.us","recipient_type":"group"}"#
            ])
    }

    /// A delivery to a business-scoped user id: no phone number, maybe a contact country (§11.12).
    public static func bsuidDelivery(
        account: String = "A", _ id: String, at time: Int64, countryCode: String?, category: String = "marketing"
    ) -> Data {
        let profile = countryCode.map { #","country_code":"\#($0)""# } ?? ""
        return raw(
            account: account,
            statuses: [
                #"{"id":"\#(id)","status":"delivered","timestamp":"\#(time)","recipient_id":"","recipient_user_id":"user.\#(id)","pricing":\#(pmpPricing(category))}"#
            ],
            contacts: #"{"profile":{"name":"P"\#(profile)},"wa_id":"","user_id":"user.\#(id)"}"#)
    }

    /// A max-price Marketing Messages API delivery carrying `pricing.cost` (§11.13).
    public static func costedDelivery(
        account: String = "A", _ id: String, at time: Int64, to recipient: String = "919876543210", amount: String,
        currency: String = "USD", category: String = "marketing_lite"
    ) -> Data {
        raw(
            account: account,
            statuses: [
                #"{"id":"\#(id)","status":"delivered","timestamp":"\#(time)","recipient_id":"\#(recipient)","pricing":{"billable":true,"pricing_model":"PMP","type":"regular","category":"\#(category)","cost":{"amount":\#(amount),"currency":"\#(currency)"}}}"#
            ])
    }

    /// Meta's volume-tier change webhook (§11.15).
    public static func tierUpdate(
        account: String = "A", month: String, region: String, category: String, tier: String, at time: Int64
    ) -> Data {
        Data(
            #"""
            {"object":"whatsapp_business_account","entry":[{"id":"\#(account)","time":\#(time),"changes":[{"field":"account_update","value":{"volume_tier_info":{"tier_update_time":\#(time),"pricing_category":"\#(category)","tier":"\#(tier)","effective_month":"\#(month)","region":"\#(region)"},"event":"VOLUME_BASED_PRICING_TIER_UPDATE"}}]}]}
            """#.utf8)
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
