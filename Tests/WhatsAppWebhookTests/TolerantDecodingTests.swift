import Foundation
import Testing

@testable import WhatsAppWebhook

@Suite("Tolerant decoding")
struct TolerantDecodingTests {
    let decoder = WebhookDecoder()

    func statuses(_ json: String) throws -> [StatusEvent] {
        try decoder.decode(Data(json.utf8)).compactMap { if case .status(let s) = $0 { s } else { nil } }
    }

    func envelope(_ statusJSON: String, extraValue: String = "") -> String {
        #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"9"},"statuses":["#
            + statusJSON + "]" + extraValue + "}}]}]}"
    }

    @Test(
        "category spellings are normalised",
        arguments: [
            ("authentication-international", "authentication_international"),
            ("authentication_international", "authentication_international"),
            ("AUTHENTICATION-INTERNATIONAL", "authentication_international"),
            ("Marketing", "marketing"),
            ("business_initated", "business_initiated"),
            ("customer_initiated", "user_initiated"),
            ("meta_business_agent", "meta_business_agent"),
        ])
    func categoryNormalised(raw: String, normalised: String) {
        #expect(PricingCategory.normalize(raw) == normalised)
    }

    @Test("timestamps may be strings or numbers")
    func timestamps() throws {
        let asString = try statuses(
            envelope(#"{"id":"w","status":"sent","timestamp":"1700000000","recipient_id":"1"}"#))
        let asNumber = try statuses(envelope(#"{"id":"w","status":"sent","timestamp":1700000000,"recipient_id":"1"}"#))
        #expect(asString.first?.timestamp == 1_700_000_000)
        #expect(asNumber.first?.timestamp == 1_700_000_000)
    }

    @Test("unknown statuses, categories, pricing types and fields are kept, not fatal")
    func unknownValues() throws {
        let status = try #require(
            try statuses(
                envelope(
                    #"{"id":"w","status":"teleported","timestamp":"1700000000","recipient_id":"1","new_field":{"x":[1,2]},"pricing":{"pricing_model":"XYZ","type":"brand_new","category":"meta_business_agent","billable":true}}"#,
                    extraValue: #","future":{"a":1}"#)
            ).first)
        #expect(status.status == .unknown("teleported"))
        #expect(status.pricing?.pricingModel == "XYZ")
        #expect(status.pricing?.type == "brand_new")
        #expect(status.pricing?.category == "meta_business_agent")
    }

    @Test("changes of fields wameter does not use are kept without decoding their value")
    func unknownField() throws {
        let json =
            #"{"object":"whatsapp_business_account","entry":[{"id":"7","changes":[{"field":"message_template_status_update","value":{"statuses":"not an array"}}]}]}"#
        #expect(
            try decoder.decode(Data(json.utf8)) == [
                .unhandledChange(account: "7", field: "message_template_status_update")
            ])
    }

    @Test("On-Premises nested message.recipient_id is read")
    func nestedRecipient() throws {
        let json =
            #"{"statuses":[{"id":"gB1","status":"sent","timestamp":"1700000000","message":{"recipient_id":"447700900123"}}]}"#
        let events = try decoder.decode(Data(json.utf8), onPremisesAccount: "a")
        guard case .status(let status) = try #require(events.first) else { return }
        #expect(status.recipientId == "447700900123")
    }

    @Test(
        "invalid bodies are rejected with a reason that names the problem",
        arguments: [
            ("{not json", "not JSON"),
            ("[1,2]", "not a WhatsApp webhook"),
            (#"{"object":"page","entry":[]}"#, "not a WhatsApp webhook"),
            (#"{"hello":"world"}"#, "not a WhatsApp webhook"),
            (#"{"object":"whatsapp_business_account","entry":[{"changes":[]}]}"#, "entry[0].id: missing"),
            (
                #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"statuses":[{"status":"sent","timestamp":"1"}]}}]}]}"#,
                "entry[0].changes[0].value.statuses[0].id: missing"
            ),
            (
                #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"statuses":[{"id":"w","status":"sent","timestamp":"yesterday"}]}}]}]}"#,
                "statuses[0].timestamp"
            ),
        ])
    func invalidBodies(body: String, expected: String) {
        do {
            _ = try decoder.decode(Data(body.utf8))
            Issue.record("accepted an invalid body: \(body)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }
}

@Suite("JSON parser")
struct JSONParserTests {
    func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in try JSONParser.parse(buffer) }
    }

    @Test("escapes, surrogate pairs and raw UTF-8 decode to the same text")
    func strings() throws {
        guard case .string(let text) = try parse(#""a\"b\\c\/\n\u00e4\ud83d\ude00ä😀""#) else {
            Issue.record("expected a string")
            return
        }
        #expect(text == "a\"b\\c/\nä😀ä😀")
    }

    @Test("numbers keep their literal text")
    func numbers() throws {
        guard case .array(let values) = try parse("[0, -1, 0.035, 1e3, 1750030073]") else { return }
        let literals = values.map { if case .number(let literal) = $0 { literal } else { "?" } }
        #expect(literals == ["0", "-1", "0.035", "1e3", "1750030073"])
    }

    @Test(
        "malformed documents are rejected",
        arguments: [
            "", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", "-", "\"\\x\"", "\"\\ud800\"", "tru", "nul",
            "{\"a\":1} x", "\"a\nb\"", String(repeating: "[", count: 500),
        ])
    func malformed(text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }

    @Test("objects keep members in order and look keys up")
    func objects() throws {
        let value = try parse(#" { "b" : [true, false, null], "a" : {} } "#)
        #expect(value["a"] != nil)
        guard case .array(let flags)? = value["b"] else {
            Issue.record("expected an array")
            return
        }
        #expect(flags.count == 3)
        #expect(value["missing"] == nil)
    }
}

extension TolerantDecodingTests {
    @Test("a display number that is not text to keep is skipped, and the body still counts")
    func hostileDisplayNumber() throws {
        let body =
            Data(
                #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"#
                    .utf8)
            + Data(#""metadata":{"display_phone_number":"1555\u0000\u0007","phone_number_id":"2"},"#.utf8)
            + Data(
                #""statuses":[{"id":"wamid.1","status":"sent","timestamp":"1752577200","recipient_id":"1"}]}}]}]}"#.utf8
            )
        let events = try WebhookDecoder().decode(body)
        #expect(events.count == 1)
        guard case .status = try #require(events.first) else {
            Issue.record("expected the status only")
            return
        }
    }
}
