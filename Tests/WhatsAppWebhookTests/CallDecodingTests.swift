import Foundation
import Testing

@testable import WhatsAppWebhook

/// `calls` changes (reference §7.11), in the layouts of Meta's Calling webhook reference and of the
/// peers' fixtures: call events and call statuses, never message statuses.
@Suite("Call webhooks")
struct CallDecodingTests {
    let decoder = WebhookDecoder()

    func body(_ value: String, account: String = "837432645395") -> Data {
        Data(
            (#"{"object":"whatsapp_business_account","entry":[{"id":""# + account
                + #"","changes":[{"field":"calls","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"16315553601","phone_number_id":"743897493242"},"#
                + value + "}}]}]}").utf8)
    }

    @Test("connect and terminate events: direction, the user's number, times, duration, status, errors")
    func events() throws {
        let connect = try decoder.decode(
            body(
                #""contacts":[{"profile":{"name":"A"},"wa_id":"919876543210"}],"calls":[{"id":"wacid.ABC=","to":"919876543210","from":"16315553601","event":"connect","timestamp":"1752582933","direction":"BUSINESS_INITIATED","session":{"sdp":"v=0","sdp_type":"answer"}}]"#
            ))
        #expect(
            connect.first
                == .call(
                    CallEvent(
                        account: "837432645395", phoneNumberId: "743897493242", callId: "wacid.ABC=", event: "connect",
                        timestamp: 1_752_582_933, direction: .businessInitiated, userNumber: "919876543210")))
        // The display number is recorded as for messages.
        #expect(
            connect.contains(
                .phoneNumber(
                    PhoneNumberEvent(
                        account: "837432645395", phoneNumberId: "743897493242", displayNumber: "16315553601"))))

        let terminate = try decoder.decode(
            body(
                #""calls":[{"id":"wacid.ABC=","to":"919876543210","from":"16315553601","event":"terminate","direction":"business_initiated","biz_opaque_callback_data":"order-7","timestamp":"1752583057","status":"Failed","start_time":"1752582940","end_time":"1752583000","duration":60}],"errors":[{"code":12455,"message":"x"}]"#
            ))
        guard case .call(let event) = terminate.first else {
            Issue.record("no call event")
            return
        }
        #expect(event.direction == .businessInitiated)
        #expect(event.status == "FAILED")
        #expect(event.startTime == 1_752_582_940 && event.endTime == 1_752_583_000 && event.duration == 60)
        #expect(event.errorCode == 12455 && event.callbackData == "order-7")
    }

    @Test("a user-initiated call's user is the caller; when a side is the business's own number, the other one")
    func userSide() throws {
        let inbound = try decoder.decode(
            body(
                #""calls":[{"id":"wacid.U","from":"5511999998888","to":"16315553601","event":"connect","timestamp":"1752583107","direction":"USER_INITIATED"}]"#
            ))
        guard case .call(let event) = inbound.first else { return #expect(Bool(false)) }
        #expect(event.direction == .userInitiated && event.userNumber == "5511999998888")
        // A business-initiated example with the business number as `to`: the user is `from`.
        #expect(
            WebhookDecoder.userNumber(
                direction: .businessInitiated, from: "16315553602", to: "16315553601", business: "1 631-555-3601")
                == "16315553602")
        // A username user: no number, the contact's country instead.
        let username = try decoder.decode(
            body(
                #""contacts":[{"profile":{"name":"A","country_code":"BR"},"user_id":"BR.123"}],"calls":[{"id":"wacid.N","to":"","to_user_id":"BR.123","from":"16315553601","event":"connect","timestamp":"1752583107","direction":"BUSINESS_INITIATED"}]"#
            ))
        guard case .call(let unnamed) = username.first else { return #expect(Bool(false)) }
        #expect(unnamed.userNumber == nil && unnamed.userCountryCode == "BR")
    }

    @Test("call statuses on the calls field are the call's, never message statuses")
    func statuses() throws {
        let events = try decoder.decode(
            body(
                #""statuses":[{"id":"wacid.ABC=","timestamp":"1671644824","type":"call","status":"ringing","recipient_id":"163155536021","biz_opaque_callback_data":"x"}]"#
            ))
        #expect(
            events.first
                == .callStatus(
                    CallStatusEvent(
                        account: "837432645395", phoneNumberId: "743897493242", callId: "wacid.ABC=", status: "RINGING",
                        timestamp: 1_671_644_824, recipientId: "163155536021", callbackData: "x")))
        #expect(!events.contains { if case .status = $0 { true } else { false } })
    }

    @Test("a call without an id, with an impossible duration or a negative one is refused whole")
    func refused() {
        for value in [
            #""calls":[{"to":"1","event":"connect","timestamp":"1752583107"}]"#,
            #""calls":[{"id":"wacid.X","event":"terminate","duration":99999999}]"#,
            #""calls":[{"id":"wacid.X","event":"terminate","duration":-5}]"#,
            #""calls":[{"id":"wacid.X","event":"terminate","duration":"long"}]"#,
            #""statuses":[{"id":"wacid.X","type":"call","timestamp":"1671644824"}]"#,
        ] {
            #expect(throws: WebhookDecodingError.self, "\(value)") { try decoder.decode(body(value)) }
        }
    }

    @Test("recording, transcription and SIP events are kept as events of their call")
    func otherEvents() throws {
        let events = try decoder.decode(
            body(
                #""calls":[{"id":"wacid.R","event":"call_recording_available","timestamp":"1752583200"},{"id":"wacid.S","event":"call_created","timestamp":"1752583201","direction":"USER_INITIATED","from":"4915112345678"}]"#
            ))
        #expect(events.count == 3)
        guard case .call(let recording) = events[0], case .call(let sip) = events[1] else {
            return #expect(Bool(false))
        }
        #expect(recording.event == "call_recording_available" && recording.direction == nil)
        #expect(sip.event == "call_created" && sip.userNumber == "4915112345678")
    }
}
