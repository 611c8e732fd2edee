import Foundation
import Testing

@testable import WhatsAppWebhook

/// Coexistence and Meta Business Agent traffic (reference §7.12): app-sent echoes, the `standby`
/// field, and `history`, which is archived and read for nothing.
@Suite("Echo, standby and history webhooks")
struct EchoDecodingTests {
    let decoder = WebhookDecoder()

    func body(field: String, _ value: String) -> Data {
        Data(
            (#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":""# + field
                + #"","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"106540352242922"},"#
                + value + "}}]}]}").utf8)
    }

    @Test("smb_message_echoes are messages sent from the Business app, with the user's number and country")
    func appEchoes() throws {
        let events = try decoder.decode(
            body(
                field: "smb_message_echoes",
                #""contacts":[{"wa_id":"5511999998888","profile":{"name":"B","country_code":"BR"}}],"message_echoes":[{"from":"15550001111","to":"5511999998888","id":"wamid.E1","timestamp":"1771000000","type":"text","text":{"body":"hi"}}]"#
            ))
        #expect(
            events == [
                .echo(
                    EchoEvent(
                        account: "102290129340398", phoneNumberId: "106540352242922", messageId: "wamid.E1",
                        to: "5511999998888", toCountryCode: "BR", timestamp: 1_771_000_000, type: "text", sender: .app))
            ])
    }

    @Test("standby bodies are read like messages bodies; their echoes are the Business Agent's")
    func standby() throws {
        let events = try decoder.decode(
            body(
                field: "standby",
                #""messages":[{"from":"919876543210","id":"wamid.IN","timestamp":"1771000001","type":"text"}],"statuses":[{"id":"wamid.OUT","status":"delivered","timestamp":"1771000002","recipient_id":"919876543210"}],"message_echoes":[{"from":"15550001111","to":"919876543210","id":"wamid.OUT","timestamp":"1771000000","type":"text"}]"#
            ))
        #expect(events.contains { if case .inbound(let m) = $0 { m.messageId == "wamid.IN" } else { false } })
        #expect(events.contains { if case .status(let s) = $0 { s.messageId == "wamid.OUT" } else { false } })
        #expect(
            events.contains {
                if case .echo(let e) = $0 { e.sender == .agent && e.messageId == "wamid.OUT" } else { false }
            })
    }

    @Test("history is archived as a change wameter does not count")
    func history() throws {
        let events = try decoder.decode(
            body(
                field: "history",
                #""history":[{"metadata":{"phase":0},"threads":[{"id":"919876543210","messages":[]}]}]"#))
        #expect(events == [.unhandledChange(account: "102290129340398", field: "history")])
    }

    @Test("an echo without an id or a timestamp is refused whole")
    func refused() {
        for value in [
            #""message_echoes":[{"to":"1","timestamp":"1771000000"}]"#,
            #""message_echoes":[{"id":"wamid.X","to":"1"}]"#,
            #""message_echoes":[7]"#,
        ] {
            #expect(throws: WebhookDecodingError.self, "\(value)") {
                try decoder.decode(body(field: "smb_message_echoes", value))
            }
        }
    }
}
