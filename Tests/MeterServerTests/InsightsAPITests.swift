import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MeterCore
import MeterStore
import TestSupport
import Testing

/// `GET /api/v1/insights`: the CLI's query over HTTP, as JSON or streamed CSV, behind the bearer
/// token, with JSON reasons for every mistake.
@Suite("Insights API")
struct InsightsAPITests {
    static func fixture() async throws -> ServerFixture {
        let fixture = try ServerFixture()
        _ = try await fixture.store.upsertAccount(Account(id: "A", timezone: "UTC", currency: "USD"))
        let t = utc("2025-07-15T10:00:00Z")
        try await LedgerScenario.ingest(
            fixture.store,
            [
                LedgerScenario.status("m1", "delivered", at: t, pricing: LedgerScenario.pmp("marketing"), phone: "P1"),
                LedgerScenario.status(
                    "m2", "delivered", at: t + 86_400, to: "5511987654321", pricing: LedgerScenario.pmp("marketing"),
                    phone: "P2"),
            ])
        return fixture
    }

    @Test("JSON: the same answer as the store's query, rows named by their dimensions")
    func json() async throws {
        let fixture = try await Self.fixture()
        let query = try InsightsRequest(from: "2025-07", to: "2025-07", granularity: "day", by: ["phone", "country"])
            .query()
        let expected = try await fixture.store.insights(
            scope: .accounts(["A"]), query: query, now: ServerFixture.now)
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/api/v1/insights?account=A&from=2025-07&granularity=day&by=phone,country", method: .get,
                headers: ServerFixture.bearer
            ) {
                #expect($0.status == .ok)
                #expect($0.headers[.contentType] == "application/json; charset=utf-8")
                #expect(Data(buffer: $0.body) == expected.jsonData())
                let object = try JSONSerialization.jsonObject(with: Data(buffer: $0.body)) as? [String: Any]
                let rows = object?["rows"] as? [[String: Any]]
                #expect(rows?.count == 2)
                #expect(rows?.first?["phone_number_id"] as? String == "P1")
                #expect(rows?.first?["display_phone_number"] as? String == "15550000001")
                #expect(rows?.first?["country"] as? String == "IN")
                #expect(rows?.first?["period"] as? String == "2025-07-15")
            }
        }
    }

    @Test("forecast=true adds each account's forecast of its current month; anything but true or false is refused")
    func forecast() async throws {
        let fixture = try await Self.fixture()
        // ServerFixture.now is 2026-09-21: one delivery on the 5th.
        try await LedgerScenario.ingest(
            fixture.store,
            [
                LedgerScenario.status(
                    "m9", "delivered", at: utc("2026-09-05T10:00:00Z"), pricing: LedgerScenario.pmp("marketing"))
            ])
        let report = try await LedgerScenario.report(fixture.store, "A", "2026-09", now: ServerFixture.now)
        let expected = try #require(report.forecast)
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/api/v1/insights?account=A&from=2025-07&forecast=true", method: .get,
                headers: ServerFixture.bearer
            ) { response in
                #expect(response.status == .ok)
                let json = try #require(
                    try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let accounts = try #require((json["forecast"] as? [String: Any])?["accounts"] as? [[String: Any]])
                #expect(accounts.map { $0["month"] as? String } == ["2026-09"])
                let charged = (accounts[0]["forecast"] as? [String: Any])?["charged"] as? [String: Any]
                #expect(charged?["estimate"] as? Int == expected.projection.charged.estimate)
            }
            try await client.execute(
                uri: "/api/v1/insights?account=A&from=2025-07", method: .get, headers: ServerFixture.bearer
            ) { response in
                #expect(!String(buffer: response.body).contains("\"forecast\""))
            }
            try await client.execute(
                uri: "/api/v1/insights?account=A&from=2025-07&forecast=yes", method: .get, headers: ServerFixture.bearer
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("forecast must be true or false"))
            }
        }
    }

    @Test("CSV by format=csv or Accept: text/csv, as an attachment with a file name")
    func csv() async throws {
        let fixture = try await Self.fixture()
        try await fixture.app().test(.router) { client in
            var headers = ServerFixture.bearer
            headers[.accept] = "text/csv"
            for (uri, headers) in [
                ("/api/v1/insights?all=true&from=2025-07-01&to=2025-07-31&by=country", headers),
                ("/api/v1/insights?all&from=2025-07-01&to=2025-07-31&by=country&format=csv", ServerFixture.bearer),
            ] {
                try await client.execute(uri: uri, method: .get, headers: headers) {
                    #expect($0.status == .ok)
                    #expect($0.headers[.contentType] == "text/csv; charset=utf-8")
                    #expect(
                        $0.headers[.contentDisposition]
                            == "attachment; filename=\"wameter-insights-2025-07-01-2025-07-31.csv\"")
                    let lines = String(buffer: $0.body).split(separator: "\n")
                    #expect(lines.first?.hasPrefix("period,currency,country,messages_sent,") == true)
                    #expect(lines.count == 3)
                    #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("2025-07-01..2025-07-31,USD,") })
                }
            }
        }
    }

    @Test("mistakes get 400 or 404 with a JSON reason; no token gets 401")
    func mistakes() async throws {
        let fixture = try await Self.fixture()
        try await fixture.app().test(.router) { client in
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("account=A", .badRequest, "from is required, as ?from=YYYY-MM-DD (or YYYY-MM)"),
                ("from=2025-07", .badRequest, "give one of account=ID (repeatable), portfolio=NAME or all=true"),
                (
                    "account=A&all=true&from=2025-07", .badRequest,
                    "give one of account=ID (repeatable), portfolio=NAME or all=true"
                ),
                (
                    "account=A&from=2025-07&granularity=week", .badRequest,
                    "granularity must be one of half_hour, day, month, total, got \"week\""
                ),
                (
                    "account=A&from=2025-07&colour=red", .badRequest,
                    "unknown parameter(s) colour; filters are named by dimension "
                        + "(account, phone, country, market, category, pricing_type, direction, kind, tier)"
                ),
                ("account=A&from=2025-07&format=xml", .badRequest, "format must be json or csv, got \"xml\""),
                ("account=nobody&from=2025-07", .notFound, "unknown account nobody"),
                ("portfolio=P&from=2025-07", .notFound, "no account is in portfolio P"),
            ]
            for (query, status, reason) in cases {
                try await client.execute(uri: "/api/v1/insights?" + query, method: .get, headers: ServerFixture.bearer)
                {
                    #expect($0.status == status, "\(query)")
                    #expect(ServerFixture.errorReason($0) == reason, "\(query)")
                }
            }
            try await client.execute(uri: "/api/v1/insights?account=A&from=2025-07", method: .get) {
                #expect($0.status == .unauthorized)
            }
        }
    }

    @Test("huge values get a short reason: a 10,000-character date, 2,000 bad countries, a huge Graph field")
    func hugeValues() async throws {
        let fixture = try await Self.fixture()
        let huge = String(repeating: "9", count: 10_000)
        let countries = (0..<2_000).map { "X\($0)" }.joined(separator: ",")
        try await fixture.app().test(.router) { client in
            for uri in [
                "/api/v1/insights?account=A&from=\(huge)",
                "/api/v1/insights?account=A&from=2025-07&country=\(countries)",
                "/api/v1/insights?account=A&from=2025-07&\(huge)=1",
            ] {
                try await client.execute(uri: uri, method: .get, headers: ServerFixture.bearer) {
                    #expect($0.status == .badRequest)
                    let reason = try #require(ServerFixture.errorReason($0))
                    #expect(reason.count < 1_000, "\(reason.prefix(200))")
                }
            }
            try await client.execute(
                uri: "/api/v1/insights?account=A&from=2025-07&country=\(countries)", method: .get,
                headers: ServerFixture.bearer
            ) {
                #expect(ServerFixture.errorReason($0)?.hasSuffix("; and 1990 more") == true)
            }
            try await client.execute(
                uri: "/graph/v23.0/A?fields=\(String(repeating: "a", count: 10_000)).start(1)", method: .get,
                headers: ServerFixture.bearer
            ) {
                #expect($0.status == .badRequest)
                #expect(String(buffer: $0.body).count < 1_000)
            }
        }
    }
}
