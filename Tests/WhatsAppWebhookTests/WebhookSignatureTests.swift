import Foundation
import Testing

@testable import WhatsAppWebhook

@Suite("X-Hub-Signature-256")
struct WebhookSignatureTests {
    let body = Data(#"{"object":"whatsapp_business_account","entry":[]}"#.utf8)

    @Test("a signature made with the app secret verifies")
    func valid() {
        let header = WebhookSignature.header(for: body, appSecret: "s3cret")
        #expect(WebhookSignature(appSecrets: ["s3cret"]).isValid(body: body, header: header))
    }

    @Test("a body fed in parts, as the server reads it, verifies like the whole; a changed part fails")
    func streamedParts() throws {
        let signature = WebhookSignature(appSecrets: ["other", "s3cret"])
        let header = WebhookSignature.header(for: body, appSecret: "s3cret")
        for cut in [0, 1, 17, body.count - 1, body.count] {
            var verifier = try #require(signature.verifier(header: header))
            verifier.update(body.prefix(cut))
            verifier.update(body.dropFirst(cut))
            #expect(verifier.isValid, "cut at \(cut)")
        }
        var tampered = try #require(signature.verifier(header: header))
        tampered.update(body.prefix(10))
        tampered.update(Data("X".utf8) + body.dropFirst(11))
        #expect(!tampered.isValid)
        #expect(signature.verifier(header: nil) == nil)
        #expect(signature.verifier(header: "sha256=abc") == nil)
    }

    @Test("known HMAC-SHA256 vector (RFC 4231 case 2)")
    func knownVector() {
        let header = WebhookSignature.header(for: Data("what do ya want for nothing?".utf8), appSecret: "Jefe")
        #expect(header == "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("forged, missing, malformed and wrong-secret signatures fail")
    func invalid() {
        let verifier = WebhookSignature(appSecrets: ["s3cret"])
        let good = WebhookSignature.header(for: body, appSecret: "s3cret")
        #expect(!verifier.isValid(body: body, header: nil))
        #expect(!verifier.isValid(body: body, header: ""))
        #expect(!verifier.isValid(body: body, header: "sha256=zz"))
        #expect(!verifier.isValid(body: body, header: WebhookSignature.header(for: body, appSecret: "other")))
        #expect(!verifier.isValid(body: body + Data(" ".utf8), header: good))
        #expect(!WebhookSignature(appSecrets: []).isValid(body: body, header: good))
    }

    @Test("the sha256= prefix may be missing; hex case does not matter")
    func prefixOptional() {
        let verifier = WebhookSignature(appSecrets: ["s3cret"])
        let hex = String(WebhookSignature.header(for: body, appSecret: "s3cret").dropFirst(7))
        #expect(verifier.isValid(body: body, header: hex))
        #expect(verifier.isValid(body: body, header: "sha256=" + hex.uppercased()))
    }

    @Test("any of several app secrets verifies (a BSP with several apps)")
    func severalSecrets() {
        let verifier = WebhookSignature(appSecrets: ["first", "second"])
        #expect(verifier.isValid(body: body, header: WebhookSignature.header(for: body, appSecret: "second")))
    }

    @Test("non-ASCII text is signed over the escaped bytes as sent, not a re-serialisation")
    func escapedUnicode() throws {
        let builder = WebhookBodyBuilder()
        let sent = builder.body([
            (
                "1",
                [
                    .init(
                        phoneNumberId: "9",
                        inbound: [.init(messageId: "w", from: "4915112345678", timestamp: 1, text: "äöå")])
                ]
            )
        ])
        #expect(String(decoding: sent, as: UTF8.self).contains(#"\u00e4\u00f6\u00e5"#))
        let header = WebhookSignature.header(for: sent, appSecret: "k")
        #expect(WebhookSignature(appSecrets: ["k"]).isValid(body: sent, header: header))
        // Re-serialising the parsed JSON gives other bytes, which must not verify.
        let object = try JSONSerialization.jsonObject(with: sent)
        let reserialised = try JSONSerialization.data(withJSONObject: object)
        #expect(reserialised != sent)
        #expect(!WebhookSignature(appSecrets: ["k"]).isValid(body: reserialised, header: header))
    }
}
