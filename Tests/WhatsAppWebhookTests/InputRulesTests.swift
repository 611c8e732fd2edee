import Foundation
import Testing

@testable import WhatsAppWebhook

/// The rules of docs/input.md, one row per rule and per value that once got through.
@Suite("Input rules")
struct InputRulesTests {
    let decoder = WebhookDecoder()

    func envelope(account: String = "1", status: String) -> Data {
        Data(
            (#"{"object":"whatsapp_business_account","entry":[{"id":"# + account
                + #","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"9"},"statuses":["#
                + status + "]}}]}]}").utf8)
    }

    func status(id: String = #""w1""#, timestamp: String = #""1700000000""#, extra: String = "") -> String {
        #"{"id":"# + id + #","status":"delivered","timestamp":"# + timestamp + #","recipient_id":"15551234567""# + extra
            + "}"
    }

    func rejection(_ body: Data) -> String? {
        do {
            _ = try decoder.decode(body)
            return nil
        } catch {
            return error.description
        }
    }

    func onlyStatus(_ body: Data) throws -> StatusEvent {
        let events = try decoder.decode(body)
        guard case .status(let status) = try #require(events.first) else { throw TestFailure() }
        return status
    }

    struct TestFailure: Error {}

    @Test(
        "timestamps outside 2009-01-01 to 2099-12-31 are refused, naming the field",
        arguments: [
            #""7000000000000""#, "1e13", #""-9223372036854775808""#, #""9223372036854775807""#, #""4102444800""#,
            #""1230767999""#, "-1", "0",
        ])
    func timestampsOutOfRange(_ timestamp: String) {
        let reason = rejection(envelope(status: status(timestamp: timestamp)))
        #expect(reason?.contains("entry[0].changes[0].value.statuses[0].timestamp") == true, "\(reason ?? "accepted")")
        #expect(reason?.contains("outside 2009-01-01 to 2099-12-31") == true)
    }

    @Test("the first and last accepted seconds are accepted")
    func timestampLimits() throws {
        #expect(try onlyStatus(envelope(status: status(timestamp: #""1230768000""#))).timestamp == 1_230_768_000)
        #expect(try onlyStatus(envelope(status: status(timestamp: "4102444799"))).timestamp == 4_102_444_799)
    }

    @Test("an out-of-range entry time, only a fallback, is skipped rather than refused")
    func entryTime() throws {
        let body = Data(
            #"{"object":"whatsapp_business_account","entry":[{"id":"1","time":99999999999999,"changes":[{"field":"x","value":{}}]}]}"#
                .utf8)
        #expect(try decoder.decode(body) == [.unhandledChange(account: "1", field: "x")])
    }

    @Test(
        "ids with NUL, other control characters, spaces or non-ASCII are refused",
        arguments: [
            #""z\u0000q""#, #""z\u0001q""#, #""a b""#, #""wamid.\u00e9""#, "\"wamid.e\u{301}\"", #""\u202eevil""#,
        ])
    func badMessageIds(_ id: String) {
        let reason = rejection(envelope(status: status(id: id)))
        #expect(reason?.contains("statuses[0].id: may hold only printable ASCII") == true, "\(reason ?? "accepted")")
    }

    @Test(
        "account ids must be letters, digits, '.', '_' or '-': NUL, Unicode forms and empty ids are refused",
        arguments: [#""X\u0000Y""#, #""acct.\u00e9""#, "\"acct.e\u{301}\"", #""""#, #""a/b""#, #""a b""#])
    func badAccountIds(_ account: String) {
        let reason = rejection(envelope(account: account, status: status()))
        #expect(reason?.contains("entry[0].id:") == true, "\(reason ?? "accepted")")
    }

    @Test("phone number ids follow the account id rule")
    func badPhoneNumberId() {
        let body = Data(
            #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"9\u0000"},"statuses":[]}}]}]}"#
                .utf8)
        #expect(rejection(body)?.contains("metadata.phone_number_id") == true)
    }

    @Test(
        "labels that become keys (categories, statuses, conversation ids) must be printable ASCII",
        arguments: [
            #","pricing":{"category":"marketing\u0000"}"#, #","pricing":{"category":"marketing\u00e9"}"#,
            #","conversation":{"id":"c\u0000"}"#, #","pricing":{"type":"regul\u0000ar"}"#,
        ])
    func badLabels(_ extra: String) {
        #expect(rejection(envelope(status: status(extra: extra)))?.contains("may hold only printable ASCII") == true)
    }

    @Test(
        "cost amounts are plain non-negative decimals of bounded precision",
        arguments: [
            (#""12abc""#, "expected a plain decimal"), (#""-5""#, "a cost cannot be negative"),
            ("-5", "a cost cannot be negative"),
            ("1e127", "expected a plain decimal"), ("1E2", "expected a plain decimal"),
            (#""1234567890123""#, "more than 12 digits"), ("0.12345678901", "more than 12 digits"),
            (#""12.""#, "expected a plain decimal"), (#"".5""#, "expected a plain decimal"),
            (#""NaN""#, "expected a plain decimal"), ("true", "expected a decimal amount"),
        ])
    func badCosts(_ amount: String, _ expected: String) {
        let extra = #","pricing":{"category":"marketing","cost":{"amount":"# + amount + #","currency":"USD"}}"#
        let reason = rejection(envelope(status: status(extra: extra)))
        #expect(reason?.contains("pricing.cost.amount: " + expected) == true, "\(reason ?? "accepted")")
    }

    @Test("good cost amounts are read exactly, and currencies upper-cased")
    func goodCosts() throws {
        for (amount, value) in [("0.0107", "0.0107"), (#""123456789012.0123456789""#, "123456789012.0123456789")] {
            let extra = #","pricing":{"category":"marketing","cost":{"amount":"# + amount + #","currency":"usd"}}"#
            let pricing = try #require(try onlyStatus(envelope(status: status(extra: extra))).pricing)
            #expect(pricing.costAmount == Decimal(string: value))
            #expect(pricing.costCurrency == "USD")
        }
        let badCurrency = #","pricing":{"cost":{"amount":"1","currency":"US"}}"#
        #expect(rejection(envelope(status: status(extra: badCurrency)))?.contains("three-letter currency") == true)
    }

    @Test("free text with control characters is skipped; other text is kept in composed form")
    func freeText() throws {
        let withNUL = try onlyStatus(envelope(status: status(extra: #","biz_opaque_callback_data":"a\u0000b""#)))
        #expect(withNUL.callbackData == nil)
        #expect(InputRules.keptText("order 42: ok") == "order 42: ok")
        #expect(InputRules.keptText("a\tb") == nil)
        #expect(InputRules.keptText(String(repeating: "x", count: InputRules.maxTextLength + 1)) == nil)
        let decomposed = try onlyStatus(
            envelope(status: status(extra: ",\"biz_opaque_callback_data\":\"cafe\u{301}\"")))
        #expect(decomposed.callbackData.map { Array($0.utf8) } == Array("caf\u{e9}".utf8))
    }

    @Test("a contact's country code that is not two letters is skipped, not refused")
    func countryCodeHint() throws {
        let body = Data(
            (#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"9"},"contacts":[{"wa_id":"15551234567","profile":{"country_code":"\u00e9x"}}],"statuses":["#
                + status() + "]}}]}]}").utf8)
        #expect(try onlyStatus(body).recipientCountryCode == nil)
    }
}
