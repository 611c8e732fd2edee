import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MeterCore
import MeterServer
import MeterStore
import TestSupport
import Testing
import WhatsAppWebhook

/// An application over an in-memory store, as `wameter serve` builds it.
struct ServerFixture {
    static let secret = "app-secret-1"
    static let apiToken = "api-token-0123456789"
    static let configuration = ServerConfiguration(
        appSecrets: ["other-app", secret], verifyToken: "verify-me", apiToken: apiToken)
    static let now: Int64 = 1_790_000_000

    let store: SQLiteLedgerStore

    init() throws {
        store = try SQLiteLedgerStore()
    }

    func app(_ configuration: ServerConfiguration = ServerFixture.configuration) -> some ApplicationProtocol {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return buildApplication(configuration: configuration, store: store, clock: { Self.now }, logger: logger)
    }

    static func signed(_ body: Data, secret: String = ServerFixture.secret) -> HTTPFields {
        [
            .contentType: "application/json",
            HTTPField.Name("X-Hub-Signature-256")!: WebhookSignature.header(for: body, appSecret: secret),
        ]
    }

    static let bearer: HTTPFields = [.authorization: "Bearer \(apiToken)"]

    static func errorReason(_ response: TestResponse) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
        return object?["error"] as? String
    }
}

@Suite("Webhook server")
struct WebhookServerTests {
    let body = LedgerScenario.status("m1", "delivered", at: 1_752_577_200, pricing: LedgerScenario.pmp("marketing"))

    @Test("verification handshake: 200 with the challenge for the right token, 403 otherwise")
    func handshake() async throws {
        let fixture = try ServerFixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/webhook?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-me", method: .get
            ) {
                #expect($0.status == .ok)
                #expect(String(buffer: $0.body) == "1158201444")
            }
            try await client.execute(
                uri: "/webhook?hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong", method: .get
            ) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(
                uri: "/webhook?hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=verify-me", method: .get
            ) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/webhook", method: .get) { #expect($0.status == .forbidden) }
        }
    }

    @Test("a signed delivery is stored and acknowledged; any of several app secrets signs")
    func signedDelivery() async throws {
        let fixture = try ServerFixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/webhook", method: .post, headers: ServerFixture.signed(body), body: ByteBuffer(data: body)
            ) {
                #expect($0.status == .ok)
            }
            let second = LedgerScenario.status(
                "m2", "delivered", at: 1_752_577_200, pricing: LedgerScenario.pmp("utility"))
            try await client.execute(
                uri: "/webhook", method: .post, headers: ServerFixture.signed(second, secret: "other-app"),
                body: ByteBuffer(data: second)
            ) { #expect($0.status == .ok) }
        }
        #expect(try await fixture.store.archivedBodyCount() == 2)
        #expect(
            try await fixture.store.report(accountID: "A", month: YearMonth("2025-07")!, now: ServerFixture.now)
                .messages.charged == 2)
    }

    @Test("forged, wrong-secret and missing signatures get 401 and store nothing")
    func badSignatures() async throws {
        let fixture = try ServerFixture()
        try await fixture.app().test(.router) { client in
            var forged = ServerFixture.signed(body)
            forged[HTTPField.Name("X-Hub-Signature-256")!] = "sha256=" + String(repeating: "0", count: 64)
            for headers in [forged, ServerFixture.signed(body, secret: "not-ours"), [.contentType: "application/json"]]
            {
                try await client.execute(uri: "/webhook", method: .post, headers: headers, body: ByteBuffer(data: body))
                {
                    #expect($0.status == .unauthorized)
                    #expect(ServerFixture.errorReason($0)?.contains("X-Hub-Signature-256") == true)
                }
            }
            // A signature over other bytes (the same JSON re-serialised) does not verify either.
            let tampered = Data(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "m1", with: "m9").utf8)
            try await client.execute(
                uri: "/webhook", method: .post, headers: ServerFixture.signed(body), body: ByteBuffer(data: tampered)
            ) {
                #expect($0.status == .unauthorized)
            }
        }
        #expect(try await fixture.store.archivedBodyCount() == 0)
    }

    @Test("non-ASCII bodies are verified over the escaped bytes as sent")
    func nonASCII() async throws {
        let fixture = try ServerFixture()
        let body = WebhookBodyBuilder().body([
            (
                "A",
                [
                    .init(
                        phoneNumberId: "P",
                        inbound: [
                            .init(
                                messageId: "in1", from: "4915112345678", timestamp: 1_752_577_200,
                                text: "Grüße, ça va? 你好 😀")
                        ])
                ]
            )
        ])
        #expect(String(decoding: body, as: UTF8.self).contains(#"\u00fc"#))
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/webhook", method: .post, headers: ServerFixture.signed(body), body: ByteBuffer(data: body)
            ) {
                #expect($0.status == .ok)
            }
        }
        #expect(
            try await fixture.store.report(accountID: "A", month: YearMonth("2025-07")!, now: ServerFixture.now)
                .messages.received == 1)
    }

    @Test("bodies that are not JSON or not WhatsApp get 400 with a JSON reason and store nothing")
    func badBodies() async throws {
        let fixture = try ServerFixture()
        try await fixture.app().test(.router) { client in
            for (text, reason) in [
                ("{nope", "not JSON"), (#"{"object":"page","entry":[]}"#, "not a WhatsApp webhook"),
                (#"{"object":"whatsapp_business_account","entry":[{"changes":[]}]}"#, "entry[0].id: missing"),
            ] {
                let bytes = Data(text.utf8)
                try await client.execute(
                    uri: "/webhook", method: .post, headers: ServerFixture.signed(bytes), body: ByteBuffer(data: bytes)
                ) {
                    #expect($0.status == .badRequest)
                    #expect(
                        ServerFixture.errorReason($0)?.contains(reason) == true,
                        "\(String(describing: ServerFixture.errorReason($0)))")
                }
            }
        }
        #expect(try await fixture.store.archivedBodyCount() == 0)
    }

    @Test("bodies up to 3 MB are accepted, larger ones get 413")
    func sizeLimit() async throws {
        let fixture = try ServerFixture()
        let limit = ServerConfiguration.defaultMaxBodyBytes
        @Sendable func body(size: Int) -> Data {
            let head = #"{"object":"whatsapp_business_account","entry":[],"padding":""#
            let tail = #""}"#
            return Data((head + String(repeating: "x", count: size - head.utf8.count - tail.utf8.count) + tail).utf8)
        }
        try await fixture.app().test(.router) { client in
            let atLimit = body(size: limit)
            try await client.execute(
                uri: "/webhook", method: .post, headers: ServerFixture.signed(atLimit), body: ByteBuffer(data: atLimit)
            ) {
                #expect($0.status == .ok)
            }
            let over = body(size: limit + 1)
            try await client.execute(
                uri: "/webhook", method: .post, headers: ServerFixture.signed(over), body: ByteBuffer(data: over)
            ) {
                #expect($0.status == .contentTooLarge)
                #expect(ServerFixture.errorReason($0)?.contains("limit") == true)
            }
        }
        #expect(try await fixture.store.archivedBodyCount() == 1)
    }

    @Test("changes of fields wameter does not use are archived and acknowledged")
    func unusedField() async throws {
        let fixture = try ServerFixture()
        let bytes = Data(
            #"{"object":"whatsapp_business_account","entry":[{"id":"A","time":1,"changes":[{"field":"message_template_status_update","value":{"event":"APPROVED"}}]}]}"#
                .utf8)
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/webhook", method: .post, headers: ServerFixture.signed(bytes), body: ByteBuffer(data: bytes)
            ) {
                #expect($0.status == .ok)
            }
        }
        #expect(try await fixture.store.archivedBodyCount() == 1)
    }

    @Test("concurrent deliveries are all committed before they are acknowledged")
    func concurrent() async throws {
        let fixture = try ServerFixture()
        let bodies = (0..<200).map {
            LedgerScenario.status(
                "c\($0)", "delivered", at: 1_752_577_200 + Int64($0), pricing: LedgerScenario.pmp("marketing"))
        }
        try await fixture.app().test(.router) { client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for body in bodies {
                    group.addTask {
                        try await client.execute(
                            uri: "/webhook", method: .post, headers: ServerFixture.signed(body),
                            body: ByteBuffer(data: body)
                        ).status
                    }
                }
                for try await status in group { #expect(status == .ok) }
            }
        }
        #expect(try await fixture.store.archivedBodyCount() == 200)
        #expect(
            try await fixture.store.report(accountID: "A", month: YearMonth("2025-07")!, now: ServerFixture.now)
                .messages.charged == 200)
    }

    @Test("health reports the database")
    func health() async throws {
        let fixture = try ServerFixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/health", method: .get) {
                #expect($0.status == .ok)
                #expect(String(buffer: $0.body).contains(#""database":"ok""#))
            }
        }
    }
}

@Suite("Report API")
struct ReportAPITests {
    @Test("requires the bearer token")
    func auth() async throws {
        let fixture = try ServerFixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/accounts", method: .get) {
                #expect($0.status == .unauthorized)
                #expect($0.headers[.wwwAuthenticate] == "Bearer")
            }
            try await client.execute(
                uri: "/api/v1/accounts", method: .get, headers: [.authorization: "Bearer wrong-token-0123456789"]
            ) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/api/v1/accounts/A/report?month=2025-07", method: .get) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/api/v1/accounts", method: .get, headers: ServerFixture.bearer) {
                #expect($0.status == .ok)
            }
        }
    }

    @Test("accounts and the month report, the same JSON as the CLI; JSON errors for bad months and unknown accounts")
    func report() async throws {
        let fixture = try ServerFixture()
        _ = try await fixture.store.upsertAccount(
            Account(id: "A", name: "Shop", timezone: "Asia/Kolkata", currency: "USD"))
        try await LedgerScenario.ingest(
            fixture.store,
            [LedgerScenario.status("m1", "delivered", at: 1_752_577_200, pricing: LedgerScenario.pmp("marketing"))])
        let expected = try await fixture.store.report(
            accountID: "A", month: YearMonth("2025-07")!, now: ServerFixture.now)
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/accounts", method: .get, headers: ServerFixture.bearer) {
                let accounts = try JSONSerialization.jsonObject(with: Data(buffer: $0.body)) as? [[String: Any]]
                #expect(accounts?.first?["id"] as? String == "A")
                #expect(accounts?.first?["timezone"] as? String == "Asia/Kolkata")
            }
            try await client.execute(
                uri: "/api/v1/accounts/A/report?month=2025-07", method: .get, headers: ServerFixture.bearer
            ) {
                #expect($0.status == .ok)
                #expect($0.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(Data(buffer: $0.body) == expected.jsonData())
            }
            try await client.execute(
                uri: "/api/v1/accounts/A/report?month=2025-13", method: .get, headers: ServerFixture.bearer
            ) {
                #expect($0.status == .badRequest)
                #expect(ServerFixture.errorReason($0)?.contains("YYYY-MM") == true)
            }
            try await client.execute(uri: "/api/v1/accounts/A/report", method: .get, headers: ServerFixture.bearer) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(
                uri: "/api/v1/accounts/nobody/report?month=2025-07", method: .get, headers: ServerFixture.bearer
            ) {
                #expect($0.status == .notFound)
                #expect(ServerFixture.errorReason($0) == "unknown account nobody")
            }
        }
    }
}

extension ReportAPITests {
    @Test("account ids in paths are percent-decoded; ids no account can have answer 404")
    func percentEncodedIds() async throws {
        let fixture = try ServerFixture()
        _ = try await fixture.store.upsertAccount(Account(id: "shop-1.eu_2", timezone: "UTC", currency: "EUR"))
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/api/v1/accounts/shop%2D1%2Eeu_2/report?month=2025-07", method: .get,
                headers: ServerFixture.bearer
            ) {
                #expect($0.status == .ok)
                let report = try JSONSerialization.jsonObject(with: Data(buffer: $0.body)) as? [String: Any]
                #expect(report?["account"] as? String == "shop-1.eu_2")
            }
            for path in ["a%00b", "a%2Fb", "caf%C3%A9", "%ZZ"] {
                try await client.execute(
                    uri: "/api/v1/accounts/\(path)/report?month=2025-07", method: .get, headers: ServerFixture.bearer
                ) {
                    #expect($0.status == .notFound, "\(path)")
                    #expect(ServerFixture.errorReason($0)?.hasPrefix("unknown account") == true)
                }
            }
        }
    }
}

@Suite("Server configuration")
struct ServerConfigurationTests {
    @Test("every missing or invalid setting is listed in one error")
    func allProblems() {
        do {
            _ = try ServerConfiguration.load(
                host: nil, port: nil, environment: ["WAMETER_PORT": "eighty", "WAMETER_API_TOKEN": "short"])
            Issue.record("accepted a bad configuration")
        } catch {
            #expect(error.problems.count == 4)
            #expect(error.description.contains("WAMETER_APP_SECRET"))
            #expect(error.description.contains("WAMETER_VERIFY_TOKEN"))
            #expect(error.description.contains("WAMETER_PORT"))
            #expect(error.description.contains("shorter than 16"))
        }
    }

    static let required = [
        "WAMETER_APP_SECRET": "s", "WAMETER_VERIFY_TOKEN": "v", "WAMETER_API_TOKEN": "0123456789abcdef",
    ]

    @Test("limits: defaults, the environment, flags over the environment")
    func limits() throws {
        #expect(try ServerConfiguration.load(host: nil, port: nil, environment: Self.required).limits == ServerLimits())
        let environment = Self.required.merging(
            [
                "WAMETER_IDLE_TIMEOUT": "2.5", "WAMETER_BODY_TIMEOUT": "7", "WAMETER_MAX_CONNECTIONS": "40",
                "WAMETER_BODY_MEMORY_MB": "16",
            ], uniquingKeysWith: { $1 })
        let fromEnvironment = try ServerConfiguration.load(host: nil, port: nil, environment: environment).limits
        #expect(
            fromEnvironment
                == ServerLimits(
                    idleTimeout: .milliseconds(2_500), bodyTimeout: .seconds(7), maxConnections: 40,
                    bodyMemoryBytes: 16 * 1024 * 1024))
        let fromFlags = try ServerConfiguration.load(
            host: nil, port: nil, limits: ServerLimits.Flags(maxConnections: 8, bodyMemoryMiB: 4),
            environment: environment
        ).limits
        #expect(fromFlags.maxConnections == 8)
        #expect(fromFlags.bodyMemoryBytes == 4 * 1024 * 1024)
        #expect(fromFlags.bodyTimeout == .seconds(7))
    }

    @Test("bad limits are listed with the others: not numbers, too small, a budget smaller than one body")
    func badLimits() {
        let environment = Self.required.merging(
            [
                "WAMETER_IDLE_TIMEOUT": "soon", "WAMETER_BODY_TIMEOUT": "0", "WAMETER_MAX_CONNECTIONS": "-3",
                "WAMETER_BODY_MEMORY_MB": "2",
            ], uniquingKeysWith: { $1 })
        do {
            _ = try ServerConfiguration.load(host: nil, port: nil, environment: environment)
            Issue.record("accepted bad limits")
        } catch {
            #expect(error.problems.count == 4, "\(error.problems)")
            #expect(error.description.contains("WAMETER_IDLE_TIMEOUT \"soon\" is not a number"))
            #expect(error.description.contains("WAMETER_BODY_TIMEOUT must be at least 0.1"))
            #expect(error.description.contains("WAMETER_MAX_CONNECTIONS must be at least 1"))
            #expect(error.description.contains("must hold at least one body of the 3 MiB maximum"))
        }
        #expect(throws: ServerConfiguration.Problems.self) {
            try ServerConfiguration.load(
                host: nil, port: nil, limits: ServerLimits.Flags(maxConnections: 0), environment: Self.required)
        }
    }

    @Test("flags win over the environment; secrets are comma-separated")
    func flagsAndEnvironment() throws {
        let configuration = try ServerConfiguration.load(
            host: "0.0.0.0", port: 9000,
            environment: [
                "WAMETER_HOST": "10.0.0.1", "WAMETER_PORT": "7000", "WAMETER_APP_SECRET": " one, two ,",
                "WAMETER_VERIFY_TOKEN": "v", "WAMETER_API_TOKEN": "0123456789abcdef",
            ])
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 9000)
        #expect(configuration.appSecrets == ["one", "two"])
        let fromEnvironment = try ServerConfiguration.load(
            host: nil, port: nil,
            environment: [
                "WAMETER_PORT": "7000", "WAMETER_APP_SECRET": "s", "WAMETER_VERIFY_TOKEN": "v",
                "WAMETER_API_TOKEN": "0123456789abcdef",
            ])
        #expect(fromEnvironment.port == 7000)
        #expect(fromEnvironment.host == "127.0.0.1")
    }
}

extension ReportAPITests {
    @Test(
        "a path no route serves gets a JSON 404 naming it; a served path asked with another method a JSON 405 with Allow"
    )
    func unknownRoutes() async throws {
        let fixture = try ServerFixture()
        try await fixture.app().test(.router) { client in
            for (uri, method) in [
                ("/nowhere", HTTPRequest.Method.get), ("/api/v1/acounts", .get), ("/api/v1/accounts/A", .get),
                ("/webhook/x", .post),
            ] {
                try await client.execute(uri: uri, method: method, headers: ServerFixture.bearer) {
                    #expect($0.status == .notFound)
                    #expect($0.headers[.contentType]?.hasPrefix("application/json") == true)
                    #expect(
                        ServerFixture.errorReason($0)?.hasPrefix("no route for \(method.rawValue) \(uri) ") == true)
                }
            }
            let wrongMethods: [(String, HTTPRequest.Method, String)] = [
                ("/webhook", .put, "GET, HEAD, POST"), ("/webhook", .delete, "GET, HEAD, POST"),
                ("/api/v1/accounts", .post, "GET, HEAD"), ("/api/v1/accounts/A/report", .patch, "GET, HEAD"),
                ("/graph/v21.0/123", .trace, "GET, HEAD"), ("/sign-out", .get, "POST"), ("/", .post, "GET, HEAD"),
            ]
            // HEAD is answered wherever GET is, without the body.
            for uri in ["/health", "/openapi.json", "/sign-in"] {
                try await client.execute(uri: uri, method: .head) {
                    #expect($0.status == .ok, "HEAD \(uri)")
                    #expect($0.body.readableBytes == 0, "HEAD \(uri)")
                }
            }
            for (uri, method, allowed) in wrongMethods {
                try await client.execute(uri: uri, method: method, headers: ServerFixture.bearer) {
                    #expect($0.status == .methodNotAllowed, "\(method) \(uri)")
                    #expect($0.headers[.allow] == allowed, "\(method) \(uri)")
                    #expect($0.headers[.contentType]?.hasPrefix("application/json") == true)
                    #expect(
                        ServerFixture.errorReason($0)
                            == "\(method.rawValue) is not served for \(uri); it takes \(allowed)")
                }
            }
            // An error a handler throws keeps its own reason.
            try await client.execute(
                uri: "/api/v1/accounts/nobody/report?month=2025-07", method: .get, headers: ServerFixture.bearer
            ) {
                #expect(ServerFixture.errorReason($0) == "unknown account nobody")
            }
        }
    }
}
