import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MeterCore
import MeterStore
import TestSupport
import Testing
import WhatsAppWebhook

/// `GET /graph/{version}/{WABA_ID}`: Meta's analytics fields in Meta's layout (reference §9),
/// answered from the ledger, with the API token as a bearer header or `access_token`, and Meta's
/// error shape.
@Suite("Graph-compatible analytics")
struct GraphAPITests {
    static let july = utc("2025-07-01T00:00:00Z")

    static func fixture() async throws -> ServerFixture {
        let fixture = try ServerFixture()
        _ = try await fixture.store.upsertAccount(Account(id: "102290129340398", timezone: "UTC", currency: "USD"))
        func delivery(
            _ id: String, _ phone: String, _ display: String, at time: Int64, to recipient: String,
            _ pricing: WebhookBodyBuilder.Pricing
        ) -> Data {
            LedgerScenario.builder.body([
                (
                    "102290129340398",
                    [
                        .init(
                            phoneNumberId: phone, displayPhoneNumber: display,
                            statuses: [
                                .init(
                                    messageId: id, status: "delivered", timestamp: time, recipientId: recipient,
                                    pricing: pricing)
                            ])
                    ]
                )
            ])
        }
        try await LedgerScenario.ingest(
            fixture.store,
            [
                delivery(
                    "m1", "106540352242901", "15550783881", at: july + 3_600, to: "919876543210",
                    LedgerScenario.pmp("authentication_international")),
                delivery(
                    "m2", "106540352242901", "15550783881", at: july + 7_200, to: "919876543210",
                    LedgerScenario.pmp("authentication_international")),
                delivery(
                    "m3", "106540352242902", "15550783882", at: july + 86_400 + 60, to: "5511987654321",
                    LedgerScenario.pmp("referral_conversion", type: "free_entry_point")),
                // 2023: a conversation.
                LedgerScenario.status(
                    account: "102290129340398", "c1", "delivered", at: utc("2023-07-10T10:00:00Z"),
                    pricing: LedgerScenario.cbp("authentication"), conversation: "conv1"),
            ])
        try await fixture.store.importRates(
            try RateCardImport.parse(
                """
                effective_from,currency,market,category,rate
                2023-06-01,USD,India,authentication,0.0058
                2025-07-01,USD,India,authentication_international,2.3
                """
            ).rates, tiers: [])
        return fixture
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @Test("pricing_analytics by day, country, phone, category and type, in Meta's layout")
    func pricingAnalytics() async throws {
        let fixture = try await Self.fixture()
        let fields =
            "pricing_analytics.start(\(Self.july)).end(\(Self.july + 2 * 86_400)).granularity(DAILY)"
            + #".dimensions(["COUNTRY","PHONE","PRICING_CATEGORY","PRICING_TYPE"])"#
        let encoded = fields.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/graph/v23.0/102290129340398?fields=\(encoded)&access_token=\(ServerFixture.apiToken)",
                method: .get
            ) {
                #expect($0.status == .ok)
                let body = try Self.json($0)
                #expect(body["id"] as? String == "102290129340398")
                let analytics = try #require(body["pricing_analytics"] as? [String: Any])
                let data = try #require(analytics["data"] as? [[String: Any]])
                let points = try #require(data.first?["data_points"] as? [[String: Any]])
                #expect(points.count == 2)
                let first = points[0]
                #expect(first["start"] as? Int == Int(Self.july))
                #expect(first["end"] as? Int == Int(Self.july + 86_400))
                #expect(first["phone_number"] as? String == "15550783881")
                #expect(first["country"] as? String == "IN")
                #expect(first["pricing_category"] as? String == "AUTHENTICATION_INTERNATIONAL")
                #expect(first["pricing_type"] as? String == "REGULAR")
                #expect(first["volume"] as? Int == 2)
                #expect((first["cost"] as? NSNumber)?.decimalValue == Decimal(string: "4.6"))
                // A free entry point message (webhook category referral_conversion) is SERVICE in Meta's analytics.
                #expect(points[1]["pricing_category"] as? String == "SERVICE")
                #expect(points[1]["pricing_type"] as? String == "FREE_ENTRY_POINT")
                #expect(points[1]["phone_number"] as? String == "15550783882")
            }
            // The cost is written from the exact decimal.
            try await client.execute(
                uri: "/graph/v23.0/102290129340398?fields=\(encoded)", method: .get, headers: ServerFixture.bearer
            ) {
                #expect(String(buffer: $0.body).contains(#""cost" : 4.6"#))
            }
        }
    }

    @Test("HALF_HOUR: the half-hours asked for, each 1,800 seconds, with their own volumes")
    func halfHours() async throws {
        let fixture = try await Self.fixture()
        // From 00:30 to 02:30: m1 (01:00) and m2 (02:00), not m3 (the next day).
        let fields =
            "pricing_analytics.start(\(Self.july + 1_800)).end(\(Self.july + 9_000)).granularity(HALF_HOUR)"
            + ".dimensions([PHONE])"
        let encoded = fields.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/graph/v23.0/102290129340398?fields=\(encoded)", method: .get, headers: ServerFixture.bearer
            ) { response in
                #expect(response.status == .ok)
                let analytics = try #require(try Self.json(response)["pricing_analytics"] as? [String: Any])
                let data = try #require(analytics["data"] as? [[String: Any]])
                let points = try #require(data.first?["data_points"] as? [[String: Any]])
                #expect(points.map { $0["start"] as? Int } == [Int(Self.july + 3_600), Int(Self.july + 7_200)])
                #expect(points.map { $0["end"] as? Int } == [Int(Self.july + 5_400), Int(Self.july + 9_000)])
                #expect(points.map { $0["volume"] as? Int } == [1, 1])
                #expect(points.map { ($0["cost"] as? NSNumber)?.decimalValue } == [2.3, 2.3])
            }
            let tooLong = "pricing_analytics.start(\(Self.july)).end(\(Self.july + 32 * 86_400)).granularity(HALF_HOUR)"
            try await client.execute(
                uri:
                    "/graph/v23.0/102290129340398?fields=\(tooLong.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
                method: .get, headers: ServerFixture.bearer
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("HALF_HOUR granularity covers at most 31 days"))
            }
        }
    }

    @Test(
        "call_analytics: count, cost and average duration by direction and country; calls stay out of the message fields"
    )
    func callAnalytics() async throws {
        let fixture = try ServerFixture()
        _ = try await fixture.store.upsertAccount(Account(id: "102290129340398", timezone: "UTC", currency: "USD"))
        // The built-in USD calling card starts on 2025-08-01.
        let august = utc("2025-08-05T00:00:00Z")
        let start = august + 3_600
        func call(_ id: String, _ direction: String, user: String, duration: Int) -> Data {
            let (from, to) = direction == "USER_INITIATED" ? (user, "15550783881") : ("15550783881", user)
            return Data(
                (#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"calls","value":{"metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242901"},"calls":[{"id":"\#(id)","from":"\#(from)","to":"\#(to)","event":"terminate","timestamp":"\#(start + 600)","direction":"\#(direction)","status":"COMPLETED","start_time":"\#(start)","end_time":"\#(start + Int64(duration))","duration":\#(duration)}]}}]}]}"#)
                    .utf8)
        }
        try await LedgerScenario.ingest(
            fixture.store,
            [
                call("wacid.1", "BUSINESS_INITIATED", user: "919876543210", duration: 56),  // 1 minute at 0.0053
                call("wacid.2", "BUSINESS_INITIATED", user: "919876543211", duration: 64),  // 1.1 minutes
                call("wacid.3", "USER_INITIATED", user: "919876543212", duration: 300),
            ])
        let fields =
            "call_analytics.start(\(august)).end(\(august + 86_400)).granularity(DAILY)"
            + #".dimensions(["DIRECTION","COUNTRY","PHONE"])"#
        let encoded = fields.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/graph/v23.0/102290129340398?fields=\(encoded)", method: .get, headers: ServerFixture.bearer
            ) {
                #expect($0.status == .ok)
                let body = try Self.json($0)
                let analytics = try #require(body["call_analytics"] as? [String: Any])
                let data = try #require(analytics["data"] as? [[String: Any]])
                let points = try #require(data.first?["data_points"] as? [[String: Any]])
                let byDirection = Dictionary(
                    uniqueKeysWithValues: points.map { ($0["direction"] as? String ?? "", $0) })
                let business = try #require(byDirection["BUSINESS_INITIATED"])
                #expect(business["count"] as? Int == 2)
                // Written from the exact decimal (JSONSerialization would read it back through a Double).
                #expect(String(buffer: $0.body).contains(#""cost" : 0.01113"#))
                #expect(business["average_duration"] as? Int == 60)
                #expect(business["country"] as? String == "IN")
                #expect(business["phone_number"] as? String == "15550783881")
                let user = try #require(byDirection["USER_INITIATED"])
                #expect(user["count"] as? Int == 1)
                #expect((user["cost"] as? NSNumber)?.decimalValue == 0)
            }
            // Filtered by direction, as Meta's `directions` filter does.
            let filtered =
                "call_analytics.start(\(august)).end(\(august + 86_400)).granularity(MONTHLY)"
                + #".directions(["USER_INITIATED"]).metric_types(["COUNT"])"#
            try await client.execute(
                uri:
                    "/graph/v23.0/102290129340398?fields=\(filtered.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
                method: .get, headers: ServerFixture.bearer
            ) {
                let body = try Self.json($0)
                let analytics = try #require(body["call_analytics"] as? [String: Any])
                let points = try #require(
                    (analytics["data"] as? [[String: Any]])?.first?["data_points"] as? [[String: Any]])
                #expect(points.count == 1 && points[0]["count"] as? Int == 1 && points[0]["cost"] == nil)
            }
            // No call is a message.
            let messages = "pricing_analytics.start(\(august)).end(\(august + 86_400)).granularity(DAILY)"
            try await client.execute(
                uri:
                    "/graph/v23.0/102290129340398?fields=\(messages.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
                method: .get, headers: ServerFixture.bearer
            ) {
                let body = try Self.json($0)
                let analytics = try #require(body["pricing_analytics"] as? [String: Any])
                let points = (analytics["data"] as? [[String: Any]])?.first?["data_points"] as? [[String: Any]]
                #expect(points?.isEmpty == true)
            }
        }
    }

    @Test("a data point with units the card has no rate for has no cost, rather than a smaller one")
    func unratedCost() async throws {
        let fixture = try await Self.fixture()
        try await LedgerScenario.ingest(
            fixture.store,
            [
                LedgerScenario.status(
                    account: "102290129340398", "m4", "delivered", at: Self.july + 600, to: "5511987654321",
                    pricing: LedgerScenario.pmp("marketing"))
            ])
        let fields =
            "pricing_analytics.start(\(Self.july)).end(\(Self.july + 86_400)).granularity(DAILY).dimensions([COUNTRY])"
        let encoded = fields.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/graph/v23.0/102290129340398?fields=\(encoded)", method: .get, headers: ServerFixture.bearer
            ) {
                let points = try #require(
                    ((try Self.json($0)["pricing_analytics"] as? [String: Any])?["data"] as? [[String: Any]])?
                        .first?["data_points"] as? [[String: Any]])
                let byCountry = Dictionary(uniqueKeysWithValues: points.map { ($0["country"] as? String ?? "", $0) })
                #expect(byCountry["BR"]?["volume"] as? Int == 1)
                #expect(byCountry["BR"]?["cost"] == nil)
                #expect((byCountry["IN"]?["cost"] as? NSNumber)?.decimalValue == Decimal(string: "4.6"))
            }
        }
    }

    @Test("conversation_analytics and analytics, several fields at once, filtered by display number")
    func conversationsAndMessages() async throws {
        let fixture = try await Self.fixture()
        let june = utc("2023-07-01T00:00:00Z")
        let fields =
            "conversation_analytics.start(\(june)).end(\(june + 31 * 86_400)).granularity(MONTHLY)"
            + ".dimensions([CONVERSATION_CATEGORY,CONVERSATION_TYPE,CONVERSATION_DIRECTION]),"
            + "analytics.start(\(Self.july)).end(\(Self.july + 2 * 86_400)).granularity(DAY)"
            + ".phone_numbers([15550783881])"
        let encoded = fields.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/graph/v23.0/102290129340398?fields=\(encoded)", method: .get, headers: ServerFixture.bearer
            ) {
                #expect($0.status == .ok)
                let body = try Self.json($0)
                let conversations = try #require(body["conversation_analytics"] as? [String: Any])
                let points = try #require(
                    (conversations["data"] as? [[String: Any]])?.first?["data_points"] as? [[String: Any]])
                #expect(points.count == 1)
                #expect(points.first?["conversation"] as? Int == 1)
                #expect(points.first?["conversation_category"] as? String == "AUTHENTICATION")
                #expect(points.first?["conversation_type"] as? String == "REGULAR")
                #expect(points.first?["conversation_direction"] as? String == "BUSINESS_INITIATED")
                #expect((points.first?["cost"] as? NSNumber)?.decimalValue == Decimal(string: "0.0058"))

                let messages = try #require(body["analytics"] as? [String: Any])
                #expect(messages["granularity"] as? String == "DAY")
                #expect(messages["phone_numbers"] as? [String] == ["15550783881"])
                let dataPoints = try #require(messages["data_points"] as? [[String: Any]])
                #expect(dataPoints.count == 1)
                #expect(dataPoints.first?["sent"] as? Int == 2)
                #expect(dataPoints.first?["delivered"] as? Int == 2)
            }
        }
    }

    @Test("errors in Meta's shape: bad token 401 (190), unknown account and bad fields 400 (100)")
    func errors() async throws {
        let fixture = try await Self.fixture()
        try await fixture.app().test(.router) { client in
            let good = "pricing_analytics.start(1).end(2).granularity(DAILY)"
            let cases: [(String, HTTPFields, HTTPResponse.Status, Int, String)] = [
                (
                    "/graph/v23.0/102290129340398?fields=\(good)&access_token=wrong", [:], .unauthorized, 190,
                    "OAuthException"
                ),
                ("/graph/v23.0/102290129340398?fields=\(good)", [:], .unauthorized, 190, "OAuthException"),
                ("/graph/v23.0/999?fields=\(good)", ServerFixture.bearer, .badRequest, 100, "GraphMethodException"),
                ("/graph/v23.0/102290129340398", ServerFixture.bearer, .badRequest, 100, "OAuthException"),
                (
                    "/graph/v23.0/102290129340398?fields=pricing_analytics.start(1", ServerFixture.bearer, .badRequest,
                    100, "OAuthException"
                ),
            ]
            for (uri, headers, status, code, type) in cases {
                try await client.execute(uri: uri, method: .get, headers: headers) {
                    #expect($0.status == status, "\(uri)")
                    let error = try #require(try Self.json($0)["error"] as? [String: Any], "\(uri)")
                    #expect(error["code"] as? Int == code, "\(uri)")
                    #expect(error["type"] as? String == type, "\(uri)")
                    #expect((error["message"] as? String)?.isEmpty == false)
                }
            }
        }
    }
}
