import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MeterCore
import MeterServer
import MeterStore
import Synchronization
import TestSupport
import Testing

/// Scoped tokens through every route that reads account data: the JSON API, the insights (JSON
/// and CSV), the Meta-shaped analytics route and the dashboard. A token for account A must never
/// read B, and B must look exactly like an account that does not exist.
@Suite("Scoped API tokens over HTTP", .closesStores)
struct ScopedTokenTests {
    static let september = utc("2026-09-05T10:00:00Z")

    /// A clock tests move.
    final class TestClock: Sendable {
        private let value = Mutex(ServerFixture.now)
        var now: Int64 { value.withLock { $0 } }
        func advance(_ seconds: Int64) { value.withLock { $0 += seconds } }
    }

    struct Ledger {
        let store: any LedgerStore
        /// Secrets by token name: "a" (account A), "p" (portfolio P: A and B), "all", "gone" (expired).
        let secrets: [String: String]
        let clock = TestClock()

        func app(sessions: DashboardSessions = DashboardSessions()) -> some ApplicationProtocol {
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let clock = clock
            return buildApplication(
                configuration: ServerFixture.configuration, store: store, clock: { clock.now }, logger: logger,
                sessions: sessions)
        }

        func bearer(_ name: String) -> HTTPFields { [.authorization: "Bearer \(secrets[name]!)"] }
    }

    /// Accounts A and B in portfolio P, C alone; one delivery each in September 2026.
    static func ledger(_ backend: StoreBackend) async throws -> Ledger {
        let store = try await backend.makeStore(accounts: [
            Account(id: "A", timezone: "UTC", currency: "USD", portfolio: "P"),
            Account(id: "B", timezone: "UTC", currency: "USD", portfolio: "P"),
            Account(id: "C", timezone: "UTC", currency: "USD"),
        ])
        try await LedgerScenario.ingest(
            store,
            ["A", "B", "C"].map {
                LedgerScenario.status(
                    account: $0, "m-\($0)", "delivered", at: september, pricing: LedgerScenario.pmp("marketing"))
            })
        var secrets: [String: String] = [:]
        for (name, scope, expires) in [
            ("a", AccessScope.account("A"), nil), ("p", .portfolio("P"), nil), ("all", .all, nil),
            ("gone", .account("A"), ServerFixture.now),
        ] as [(String, AccessScope, Int64?)] {
            let secret = APITokenSecret.generate()
            secrets[name] = secret
            try await store.createToken(
                APIToken(
                    name: name, scope: scope, hash: APITokenSecret.hash(secret), createdAt: 0, expiresAt: expires))
        }
        return Ledger(store: store, secrets: secrets)
    }

    static func json(_ response: TestResponse) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(buffer: response.body))
    }

    /// Account ids in an insights answer broken down by account.
    static func insightsAccounts(_ response: TestResponse) throws -> [String] {
        let object = try #require(try json(response) as? [String: Any])
        let rows = try #require(object["rows"] as? [[String: Any]])
        return rows.compactMap { $0["account"] as? String }.sorted()
    }

    @Test(
        "a token for account A reads A and answers 404 for B exactly as for an account that does not exist",
        arguments: StoreBackend.all)
    func accountToken(_ backend: StoreBackend) async throws {
        let ledger = try await Self.ledger(backend)
        try await ledger.app().test(.router) { client in
            let a = ledger.bearer("a")
            try await client.execute(uri: "/api/v1/accounts", method: .get, headers: a) {
                let list = try #require(try Self.json($0) as? [[String: Any]])
                #expect(list.compactMap { $0["id"] as? String } == ["A"])
            }
            try await client.execute(uri: "/api/v1/accounts/A/report?month=2026-09", method: .get, headers: a) {
                #expect($0.status == .ok)
            }
            for other in ["B", "C", "Z"] {
                try await client.execute(
                    uri: "/api/v1/accounts/\(other)/report?month=2026-09", method: .get, headers: a
                ) {
                    #expect($0.status == .notFound)
                    #expect(ServerFixture.errorReason($0) == "unknown account \(other)")
                }
                for query in ["account=\(other)", "account=A&account=\(other)", "account=A,\(other)"] {
                    for format in ["json", "csv"] {
                        try await client.execute(
                            uri: "/api/v1/insights?\(query)&from=2026-09&format=\(format)", method: .get, headers: a
                        ) {
                            #expect($0.status == .notFound, "\(query) \(format)")
                            #expect(ServerFixture.errorReason($0) == "unknown account \(other)")
                        }
                    }
                }
                try await client.execute(
                    uri: "/graph/v21.0/\(other)?fields=analytics.start(1788000000).end(1790000000).granularity(DAY)",
                    method: .get, headers: a
                ) {
                    #expect($0.status == .badRequest)
                    #expect(String(buffer: $0.body).contains("Object with ID '\(other)' does not exist"))
                }
            }
            // all=true is everything the token reads; a portfolio is the part of it the token reads.
            for query in ["all=true", "portfolio=P", "account=A"] {
                try await client.execute(
                    uri: "/api/v1/insights?\(query)&from=2026-09&by=account", method: .get, headers: a
                ) { response in
                    #expect(response.status == .ok, "\(query)")
                    let accounts = try Self.insightsAccounts(response)
                    #expect(accounts == ["A"], "\(query)")
                }
            }
            try await client.execute(
                uri: "/api/v1/insights?all=true&from=2026-09&by=account&format=csv", method: .get, headers: a
            ) {
                let lines = String(buffer: $0.body).split(separator: "\n").dropFirst()
                // period, currency, account, …
                #expect(lines.map { $0.split(separator: ",")[2] } == ["A"])
            }
            // A portfolio the token reads none of is as unknown as one that does not exist.
            try await client.execute(uri: "/api/v1/insights?portfolio=Q&from=2026-09", method: .get, headers: a) {
                #expect($0.status == .notFound)
            }
            // The Graph route takes the token as `access_token` too.
            try await client.execute(
                uri:
                    "/graph/v21.0/A?fields=analytics.start(1788000000).end(1790000000).granularity(DAY)&access_token=\(ledger.secrets["a"]!)",
                method: .get
            ) { #expect($0.status == .ok) }
            // Metrics describe the whole server.
            try await client.execute(uri: "/metrics", method: .get, headers: a) { #expect($0.status == .forbidden) }
        }
    }

    @Test(
        "a portfolio token reads the portfolio's accounts; an all-accounts token and the administrator read every one",
        arguments: StoreBackend.all)
    func widerTokens(_ backend: StoreBackend) async throws {
        let ledger = try await Self.ledger(backend)
        try await ledger.app().test(.router) { client in
            let expected: [(HTTPFields, [String])] = [
                (ledger.bearer("p"), ["A", "B"]), (ledger.bearer("all"), ["A", "B", "C"]),
                (ServerFixture.bearer, ["A", "B", "C"]),
            ]
            for (headers, accounts) in expected {
                try await client.execute(uri: "/api/v1/accounts", method: .get, headers: headers) {
                    let list = try #require(try Self.json($0) as? [[String: Any]])
                    #expect(list.compactMap { $0["id"] as? String } == accounts)
                }
                try await client.execute(
                    uri: "/api/v1/insights?all=true&from=2026-09&by=account", method: .get, headers: headers
                ) { response in
                    let read = try Self.insightsAccounts(response)
                    #expect(read == accounts)
                }
            }
            try await client.execute(
                uri: "/api/v1/accounts/C/report?month=2026-09", method: .get, headers: ledger.bearer("p")
            ) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/metrics", method: .get, headers: ledger.bearer("all")) {
                #expect($0.status == .ok)
            }
        }
    }

    @Test(
        "an expired token, a revoked one and a made-up one are refused with 401; last use is recorded once a minute",
        arguments: StoreBackend.all)
    func expiryAndRevocation(_ backend: StoreBackend) async throws {
        let ledger = try await Self.ledger(backend)
        try await ledger.app().test(.router) { client in
            let madeUp: HTTPFields = [.authorization: "Bearer \(APITokenSecret.generate())"]
            for headers in [ledger.bearer("gone"), madeUp] {
                try await client.execute(uri: "/api/v1/accounts", method: .get, headers: headers) {
                    #expect($0.status == .unauthorized)
                }
                try await client.execute(
                    uri: "/graph/v21.0/A?fields=analytics.start(1788000000).end(1790000000).granularity(DAY)",
                    method: .get, headers: headers
                ) { #expect($0.status == .unauthorized) }
            }
            try await client.execute(uri: "/api/v1/accounts", method: .get, headers: ledger.bearer("a")) {
                #expect($0.status == .ok)
            }
            let hash = APITokenSecret.hash(ledger.secrets["a"]!)
            #expect(try await ledger.store.token(hash: hash)?.lastUsedAt == ServerFixture.now)
            ledger.clock.advance(30)
            try await client.execute(uri: "/api/v1/accounts", method: .get, headers: ledger.bearer("a")) { _ in }
            #expect(try await ledger.store.token(hash: hash)?.lastUsedAt == ServerFixture.now)
            ledger.clock.advance(30)
            try await client.execute(uri: "/api/v1/accounts", method: .get, headers: ledger.bearer("a")) { _ in }
            #expect(try await ledger.store.token(hash: hash)?.lastUsedAt == ServerFixture.now + 60)

            #expect(try await ledger.store.revokeToken(name: "a"))
            try await client.execute(uri: "/api/v1/accounts", method: .get, headers: ledger.bearer("a")) {
                #expect($0.status == .unauthorized)
            }
        }
    }

    @Test(
        "the dashboard signed in with a scoped token shows only its accounts, and signs out when it is revoked",
        arguments: StoreBackend.all)
    func dashboard(_ backend: StoreBackend) async throws {
        let ledger = try await Self.ledger(backend)
        try await ledger.app().test(.router) { client in
            let token = ledger.secrets["a"]!
            let cookie = try await client.execute(
                uri: "/sign-in", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=\(token)")
            ) { response in
                #expect(response.status == .seeOther)
                let cookie = try #require(response.headers[.setCookie])
                #expect(!cookie.contains(token))
                return String(cookie.prefix { $0 != ";" })
            }
            let session: HTTPFields = [.cookie: cookie]
            try await client.execute(uri: "/", method: .get, headers: session) {
                let page = String(buffer: $0.body)
                #expect($0.status == .ok)
                #expect(page.contains("href=\"/accounts/A"))
                #expect(!page.contains("href=\"/accounts/B") && !page.contains("href=\"/accounts/C"))
            }
            try await client.execute(uri: "/accounts/A?month=2026-09", method: .get, headers: session) {
                #expect($0.status == .ok)
            }
            for other in ["B", "Z"] {
                try await client.execute(uri: "/accounts/\(other)?month=2026-09", method: .get, headers: session) {
                    #expect($0.status == .notFound)
                    #expect(String(buffer: $0.body).contains("No account \(other)"))
                }
                // The CSV downloads go through the API with the session: same scope.
                try await client.execute(
                    uri: "/api/v1/insights?account=\(other)&from=2026-09&format=csv", method: .get, headers: session
                ) { #expect($0.status == .notFound) }
            }
            // The administrator's overview, rendered in the same second, is not what this session sees.
            let admin = try await DashboardTests.signIn(client)
            try await client.execute(uri: "/", method: .get, headers: [.cookie: admin]) {
                #expect(String(buffer: $0.body).contains("href=\"/accounts/C"))
            }
            try await client.execute(uri: "/", method: .get, headers: session) {
                #expect(!String(buffer: $0.body).contains("href=\"/accounts/C"))
            }

            // Revoked: the session ends within the recheck interval.
            #expect(try await ledger.store.revokeToken(name: "a"))
            ledger.clock.advance(5)
            try await client.execute(uri: "/", method: .get, headers: session) {
                #expect($0.status == .seeOther)
                #expect($0.headers[.location] == "/sign-in")
            }
            try await client.execute(uri: "/dashboard/version", method: .get, headers: session) {
                #expect($0.status == .unauthorized)
            }
            // An expired token cannot sign in.
            try await client.execute(
                uri: "/sign-in", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=\(ledger.secrets["gone"]!)")
            ) { #expect($0.status == .unauthorized) }
        }
    }
}
