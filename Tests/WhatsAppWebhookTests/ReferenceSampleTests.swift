import Foundation
import TestSupport
import Testing

@testable import WhatsAppWebhook

/// The sample payloads of the reference's §11, one file each, decoded.
extension Fixtures {
    static func events(_ name: String, onPremisesAccount: String? = nil) throws -> [WebhookEvent] {
        try WebhookDecoder().decode(try data(name), onPremisesAccount: onPremisesAccount)
    }

    static func statuses(_ name: String) throws -> [StatusEvent] {
        try events(name).compactMap { if case .status(let status) = $0 { status } else { nil } }
    }
}

@Suite("Reference §11 sample payloads")
struct ReferenceSampleTests {
    @Test("there is a fixture for every sample of §11")
    func fixturesPresent() {
        #expect(Fixtures.referenceSamples().count == 19)
    }

    @Test("every sample decodes into at least one event", arguments: Fixtures.referenceSamples())
    func everySampleDecodes(name: String) throws {
        let events = try Fixtures.events(name, onPremisesAccount: "onprem")
        #expect(!events.isEmpty)
    }

    @Test("11.1 CBP sent: conversation with string expiration and origin, CBP pricing")
    func cbpSent() throws {
        let status = try #require(try Fixtures.statuses("reference-11.1-0-0.json").first)
        #expect(status.account == "102290129340398")
        #expect(status.phoneNumberId == "106540352242922")
        #expect(status.status == .sent)
        #expect(status.timestamp == 1_700_000_000)
        #expect(status.recipientId == "16505551234")
        #expect(status.conversation?.id == "2a7f1c9e0b6d4e5f8a1b3c4d5e6f7a8b")
        #expect(status.conversation?.expirationTimestamp == 1_700_086_400)
        #expect(status.conversation?.originType == "marketing")
        #expect(status.pricing == PricingInfo(billable: true, pricingModel: "CBP", category: "marketing"))
    }

    @Test("11.6 PMP delivered: callback data and regular utility pricing")
    func pmpDelivered() throws {
        let status = try #require(try Fixtures.statuses("reference-11.6-0-0.json").first)
        #expect(status.callbackData == "order-88412")
        #expect(status.conversation == nil)
        #expect(status.pricing?.type == "regular")
        #expect(status.pricing?.category == "utility")
        #expect(status.pricing?.pricingModel == "PMP")
    }

    @Test("11.4 failed: error code kept")
    func failed() throws {
        let status = try #require(try Fixtures.statuses("reference-11.4-0-0.json").first)
        #expect(status.status == .failed)
        #expect(status.errorCode == 131049)
    }

    @Test("11.9 inbound from an ad: referral flagged")
    func inboundReferral() throws {
        let events = try Fixtures.events("reference-11.9-0-0.json")
        guard case .inbound(let message) = try #require(events.first) else {
            Issue.record("expected an inbound message")
            return
        }
        #expect(message.from == "16505551234")
        #expect(message.hasReferral)
        #expect(message.timestamp == 1_750_275_992)
        #expect(message.type == "text")
    }

    @Test("11.10 On-Premises: no envelope, numeric expiration, attributed to the given account")
    func onPremises() throws {
        let events = try Fixtures.events("reference-11.10-0-0.json", onPremisesAccount: "client-7")
        guard case .status(let status) = try #require(events.first) else {
            Issue.record("expected a status")
            return
        }
        #expect(status.account == "client-7")
        #expect(status.messageId == "gBGGFlA5FpafAgkOuJbRq54qwbM")
        #expect(status.conversation?.expirationTimestamp == 1_643_134_600)
        #expect(status.conversation?.originType == "user_initiated")
        let nbp = try #require(try Fixtures.statuses("reference-11.10-1-0.json").first)
        #expect(nbp.pricing?.pricingModel == "NBP")
        #expect(nbp.pricing?.billable == false)
        let deleted = try #require(try Fixtures.statuses("reference-11.10-2-1.json").first)
        #expect(deleted.status == .deleted)
    }

    @Test("11.11 batch: two entries, several changes, statuses, inbound, mixed accounts")
    func batch() throws {
        let events = try Fixtures.events("reference-11.11-0-0.json")
        let statuses = events.compactMap { if case .status(let s) = $0 { s } else { nil } }
        #expect(statuses.map(\.messageId) == ["wamid.AAA1", "wamid.AAA2", "wamid.AAA3", "wamid.CCC1"])
        #expect(statuses.last?.account == "209876543210987")
        #expect(statuses.last?.pricing?.category == "authentication_international")
        #expect(statuses[2].errorCode == 131026)
        #expect(events.contains { if case .inbound(let m) = $0 { m.messageId == "wamid.BBB1" } else { false } })
    }

    @Test("11.12 business-scoped user id: empty recipient, user id and contact country kept")
    func bsuid() throws {
        let status = try #require(try Fixtures.statuses("reference-11.12-0-0.json").first)
        #expect(status.recipientId == nil)
        #expect(status.recipientUserId?.hasPrefix("user.") == true)
        #expect(status.recipientCountryCode == "US")
    }

    @Test("11.13 max price: cost amount decoded exactly")
    func cost() throws {
        let status = try #require(try Fixtures.statuses("reference-11.13-0-0.json").first)
        #expect(status.pricing?.costAmount == Decimal(string: "0.035"))
        #expect(status.pricing?.costCurrency == "USD")
        #expect(status.pricing?.category == "marketing_lite")
    }

    @Test("11.14 group message: group recipient and participant")
    func group() throws {
        let status = try #require(try Fixtures.statuses("reference-11.14-0-0.json").first)
        #expect(status.recipientType == "group")
        #expect(status.recipientParticipantId == "16505551234")
        #expect(status.pricing?.category == "group_marketing")
    }

    @Test("11.15 account_update tier webhook is kept as an event")
    func tierUpdate() throws {
        let events = try Fixtures.events("reference-11.15-0-0.json")
        guard case .accountUpdate(let update) = try #require(events.first) else {
            Issue.record("expected an account update")
            return
        }
        #expect(update.event == "VOLUME_BASED_PRICING_TIER_UPDATE")
        #expect(update.volumeTier?.tier == "25000001:50000000")
        #expect(update.volumeTier?.region == "India")
    }

    @Test("11.16 system error at value level is kept")
    func systemError() throws {
        let events = try Fixtures.events("reference-11.16-0-0.json")
        #expect(
            events == [
                .systemError(
                    SystemErrorEvent(
                        account: "102290129340398", phoneNumberId: "106540352242922", code: 130429,
                        title: "Rate limit hit")),
                // The change's metadata names the phone number's display number.
                .phoneNumber(
                    PhoneNumberEvent(
                        account: "102290129340398", phoneNumberId: "106540352242922", displayNumber: "15550783881")),
            ])
    }
}
