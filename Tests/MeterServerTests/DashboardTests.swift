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

/// The dashboard in process: signing in sets a session cookie (never the token in a URL), pages
/// show the report's and the insights' figures, and the version the pages poll moves with commits.
@Suite("Dashboard")
struct DashboardTests {
    /// 2026-09-21 is ServerFixture.now: deliveries in September are this month's.
    static let september = utc("2026-09-05T10:00:00Z")

    static func app(
        _ fixture: ServerFixture, sessions: DashboardSessions = DashboardSessions()
    )
        -> some ApplicationProtocol
    {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return buildApplication(
            configuration: ServerFixture.configuration, store: fixture.store, clock: { ServerFixture.now },
            logger: logger, sessions: sessions)
    }

    /// The dashboard of `fixture`, with `accounts` added: `body` gets a client and a signed-in
    /// session's cookie.
    static func signedIn(
        _ fixture: ServerFixture, accounts: [Account] = [],
        _ body: @Sendable (any TestClientProtocol, String) async throws -> Void
    ) async throws {
        for account in accounts { _ = try await fixture.store.upsertAccount(account) }
        try await app(fixture).test(.router) { client in try await body(client, try await signIn(client)) }
    }

    static func signIn(_ client: some TestClientProtocol, headers: HTTPFields = [:]) async throws -> String {
        var fields = headers
        fields[.contentType] = "application/x-www-form-urlencoded"
        let token = ServerFixture.apiToken.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        return try await client.execute(
            uri: "/sign-in", method: .post, headers: fields, body: ByteBuffer(string: "token=\(token)")
        ) { response in
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/")
            let cookie = try #require(response.headers[.setCookie])
            return String(cookie.prefix { $0 != ";" })
        }
    }

    static func deliver(_ client: some TestClientProtocol, _ body: Data) async throws {
        try await client.execute(
            uri: "/webhook", method: .post, headers: ServerFixture.signed(body), body: ByteBuffer(data: body)
        ) { #expect($0.status == .ok) }
    }

    @Test("without a session, pages send the browser to the sign-in form and the version poll answers 401")
    func signedOut() async throws {
        let fixture = try ServerFixture()
        try await Self.app(fixture).test(.router) { client in
            for uri in ["/", "/accounts/A"] {
                try await client.execute(uri: uri, method: .get) {
                    #expect($0.status == .seeOther)
                    #expect($0.headers[.location] == "/sign-in")
                }
            }
            try await client.execute(uri: "/dashboard/version", method: .get) { #expect($0.status == .unauthorized) }
            // A forged cookie is no session.
            try await client.execute(uri: "/", method: .get, headers: [.cookie: "wameter_session=0123"]) {
                #expect($0.status == .seeOther)
            }
            try await client.execute(uri: "/sign-in", method: .get) {
                #expect($0.status == .ok)
                #expect(String(buffer: $0.body).contains("<form method=\"post\" action=\"/sign-in\""))
                #expect($0.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            }
        }
    }

    @Test(
        "signing in: a wrong token is refused; the right one sets an HttpOnly, SameSite=Strict cookie, Secure over HTTPS"
    )
    func signingIn() async throws {
        let fixture = try ServerFixture()
        try await Self.app(fixture).test(.router) { client in
            try await client.execute(
                uri: "/sign-in", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=wrong")
            ) {
                #expect($0.status == .unauthorized)
                #expect($0.headers[.setCookie] == nil)
                #expect(String(buffer: $0.body).contains("That is not an API token, or it was revoked or has expired."))
            }
            try await client.execute(
                uri: "/sign-in", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=\(ServerFixture.apiToken)")
            ) {
                let cookie = try #require($0.headers[.setCookie])
                #expect(cookie.hasPrefix("wameter_session="))
                #expect(!cookie.contains(ServerFixture.apiToken))
                #expect(cookie.contains("; HttpOnly; SameSite=Strict"))
                #expect(!cookie.contains("Secure"))
            }
            try await client.execute(
                uri: "/sign-in", method: .post,
                headers: [
                    .contentType: "application/x-www-form-urlencoded", HTTPField.Name("X-Forwarded-Proto")!: "https",
                ],
                body: ByteBuffer(string: "token=\(ServerFixture.apiToken)")
            ) { #expect($0.headers[.setCookie]?.hasSuffix("; Secure") == true) }
        }
    }

    @Test("the overview and the account page show the report's figures; CSV downloads work with the cookie")
    func pages() async throws {
        let fixture = try ServerFixture()
        try await Self.signedIn(fixture) { client, cookie in
            try await Self.deliver(
                client,
                LedgerScenario.status("m1", "delivered", at: Self.september, pricing: LedgerScenario.pmp("marketing")))
            try await Self.deliver(
                client,
                LedgerScenario.status(
                    "m2", "delivered", at: Self.september + 86_400, to: "5511987654321",
                    pricing: LedgerScenario.pmp("utility")))
            // No number and no country: market Unknown, which no card prices.
            try await Self.deliver(client, LedgerScenario.bsuidDelivery("u1", at: Self.september, countryCode: nil))
            let report = try await fixture.store.report(
                accountID: "A", month: YearMonth("2026-09")!, now: ServerFixture.now)
            #expect(report.messages.charged == 3)
            #expect(report.unrated.count == 1)
            let spend = formatMoney(report.cost.total)
            try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]) {
                #expect($0.status == .ok)
                let page = String(buffer: $0.body)
                #expect(page.contains("<a href=\"/accounts/A?month=2026-09\">A</a>"))
                #expect(page.contains("\(spend) USD"))
                #expect(page.contains("/dashboard/version"))
            }
            try await client.execute(uri: "/accounts/A?month=2026-09", method: .get, headers: [.cookie: cookie]) {
                #expect($0.status == .ok)
                let page = String(buffer: $0.body)
                #expect(page.contains("\(spend) USD"))
                #expect(page.contains("<svg class=\"chart\""))
                #expect(page.contains("<title>2026-09-05 marketing: 2</title>"))
                #expect(page.contains("<td>India</td>"))
                #expect(page.contains("<td>Brazil</td>"))
                #expect(
                    page.contains(
                        "1 charged unit(s) have no rate</span> and are not in the spend: marketing in Unknown"))
                // The unrated count is the row's own: India has none (not the page's 1).
                #expect(
                    page.range(
                        of: #"<td>India</td>(<td class="num">[^<]*</td>){6}<td></td></tr>"#, options: .regularExpression
                    )
                        != nil)
                #expect(
                    page.range(
                        of:
                            #"<td>Unknown</td>(<td class="num">[^<]*</td>){6}<td><span class="warn">1</span></td></tr>"#,
                        options: .regularExpression) != nil)
                #expect(
                    page.contains(
                        "/api/v1/insights?account=A&amp;from=2026-09&amp;granularity=total&amp;by=market&amp;format=csv"
                    ))
                #expect(page.contains("USD 2026-07-01 patch, built-in (transcription)"))
            }
            try await client.execute(
                uri: "/api/v1/insights?account=A&from=2026-09&granularity=total&by=market&format=csv", method: .get,
                headers: [.cookie: cookie]
            ) {
                #expect($0.status == .ok)
                #expect(String(buffer: $0.body).contains("Brazil"))
            }
            // A cookie does not stand in for the token on anything but reads.
            try await client.execute(uri: "/api/v1/accounts", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/accounts/nobody", method: .get, headers: [.cookie: cookie]) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/accounts/A?month=2026-13", method: .get, headers: [.cookie: cookie]) {
                #expect($0.status == .badRequest)
            }
        }
    }

    @Test("the overview sums each portfolio's accounts per currency, accounts without one apart")
    func portfolios() async throws {
        let fixture = try ServerFixture()
        for account in [
            Account(id: "P1", timezone: "UTC", currency: "USD", portfolio: "acme"),
            Account(id: "P2", timezone: "Asia/Kolkata", currency: "USD", portfolio: "acme"),
            Account(id: "S", timezone: "UTC", currency: "USD"),
        ] {
            _ = try await fixture.store.upsertAccount(account)
        }
        try await Self.app(fixture).test(.router) { client in
            let cookie = try await Self.signIn(client)
            for (id, account) in [("a1", "P1"), ("a2", "P1"), ("a3", "P2"), ("s1", "S")] {
                try await Self.deliver(
                    client,
                    LedgerScenario.status(
                        account: account, id, "delivered", at: Self.september, pricing: LedgerScenario.pmp("marketing"))
                )
            }
            var acme = Decimal(0)
            for id in ["P1", "P2"] {
                acme += try await fixture.store.report(
                    accountID: id, month: YearMonth("2026-09")!, now: ServerFixture.now
                )
                .cost.total
            }
            #expect(acme > 0)
            // The month in progress (now is 2026-09-21): each account's line shows the report's forecast.
            let forecast = try #require(
                try await fixture.store.report(accountID: "S", month: YearMonth("2026-09")!, now: ServerFixture.now)
                    .forecast?.projection.cost)
            // And the account's own page, as a card with its range (not on a day's page).
            try await client.execute(uri: "/accounts/S?month=2026-09", method: .get, headers: [.cookie: cookie]) {
                let page = String(buffer: $0.body)
                #expect(
                    page.contains(
                        "Month end (forecast)</div><div class=\"value\">\(formatMoney(forecast.estimate.rounded(places: 4))) USD"
                    ))
                #expect(page.contains("day 21 of 30"))
            }
            try await client.execute(uri: "/accounts/S?day=2026-09-05", method: .get, headers: [.cookie: cookie]) {
                #expect(!String(buffer: $0.body).contains("Month end (forecast)"))
            }
            try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]) {
                let page = String(buffer: $0.body)
                #expect(
                    page.contains(
                        "\(formatMoney(forecast.estimate.rounded(places: 4))) USD<br><span class=\"muted sub\">("
                            + "\(formatMoney(forecast.low.rounded(places: 4)))–\(formatMoney(forecast.high.rounded(places: 4))))"
                    ))
                #expect(page.contains("<h2>By portfolio</h2>"))
                #expect(
                    page.contains(
                        #"<tr><td>acme</td><td class="num">2</td><td class="num">3</td><td class="num">3</td>"#))
                #expect(page.contains("\(formatMoney(acme.rounded(places: 4))) USD"))
                #expect(page.contains(#"<tr><td>no portfolio</td><td class="num">"#))
                #expect(page.contains(" · acme</span>"))
            }
        }
    }

    @Test(
        "a day by half-hour: the chart's 48 bars, the half-hours' figures as the API gives them, links from the month")
    func dayByHalfHour() async throws {
        let fixture = try ServerFixture()
        try await Self.signedIn(fixture) { client, cookie in
            // 10:05 and 10:20, then 13:40 (UTC, the account's zone).
            for (id, offset) in [("m1", Int64(300)), ("m2", 1_200), ("m3", 13_200)] {
                try await Self.deliver(
                    client,
                    LedgerScenario.status(
                        id, "delivered", at: Self.september + offset, pricing: LedgerScenario.pmp("marketing")))
            }
            let day = String(DayKeys.format(BillingCalendar.utc.day(of: Self.september)))
            try await client.execute(uri: "/accounts/A?month=2026-09", method: .get, headers: [.cookie: cookie]) {
                #expect(String(buffer: $0.body).contains("<a href=\"/accounts/A?day=\(day)\">\(day)</a>"))
            }
            // The insights the API answers (granularity=half_hour), from the same store.
            let insights = try await fixture.store.insights(
                scope: .accounts(["A"]),
                query: try InsightsRequest(from: day, to: day, granularity: "half_hour").query(),
                now: ServerFixture.now)
            var api: [String: Int] = [:]
            for row in insights.rows where row.metrics.messagesCharged > 0 {
                api[String(row.period.dropFirst(11).prefix(5))] = row.metrics.messagesCharged
            }
            #expect(api == ["10:00": 2, "13:30": 1])
            try await client.execute(uri: "/accounts/A?day=\(day)", method: .get, headers: [.cookie: cookie]) {
                #expect($0.status == .ok)
                let page = String(buffer: $0.body)
                #expect(page.contains("Charged messages by half-hour and category"))
                #expect(page.contains("<title>10:00 marketing: 2</title>"))
                #expect(page.contains("<title>13:30 marketing: 1</title>"))
                // One bar slot per half-hour of the day, each in the table of the charts' numbers.
                #expect(page.components(separatedBy: "<tr><td>").count - 1 >= 48)
                #expect(
                    page.range(of: #"<tr><td>10:00</td><td class="num">2</td><td class="num">2</td>"#) != nil)
                #expect(
                    page.contains(
                        "/api/v1/insights?account=A&amp;from=\(day)&amp;to=\(day)&amp;granularity=half_hour&amp;by=category&amp;format=csv"
                    ))
                #expect(page.contains("<a href=\"/accounts/A?month=2026-09\">← 2026-09</a>"))
            }
            try await client.execute(uri: "/accounts/A?day=2026-09-31", method: .get, headers: [.cookie: cookie]) {
                #expect($0.status == .badRequest)
            }
        }
    }

    @Test(
        "the account page's tables say why a market is listed: a message only sent so far, or one received from it"
    )
    func sentAndReceivedByMarket() async throws {
        let fixture = try ServerFixture()
        try await Self.signedIn(fixture, accounts: [Account(id: "A", timezone: "UTC", currency: "USD")]) {
            client, cookie in
            // Sent to Brazil, not delivered yet; a message in from India.
            try await Self.deliver(
                client,
                LedgerScenario.status(
                    "m1", "sent", at: Self.september, to: "5511987654321", pricing: LedgerScenario.pmp("marketing")))
            try await Self.deliver(client, LedgerScenario.inbound("w1", from: "919876543210", at: Self.september + 60))
            try await client.execute(uri: "/accounts/A?month=2026-09", method: .get, headers: [.cookie: cookie]) {
                let page = String(buffer: $0.body)
                #expect(page.contains("<th class=\"num\">sent</th><th class=\"num\">delivered</th>"))
                // sent, delivered, charged, free, received
                #expect(
                    page.contains(
                        "<td>Brazil</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0</td>"
                            + "<td class=\"num\">0</td><td class=\"num\">0</td>"), "\(page)")
                #expect(
                    page.contains(
                        "<td>India</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">0</td>"
                            + "<td class=\"num\">0</td><td class=\"num\">1</td>"))
            }
        }
    }

    @Test("the account page shows the month's calls by market, and their spend in the total")
    func calls() async throws {
        let fixture = try ServerFixture()
        try await Self.signedIn(fixture, accounts: [Account(id: "A", timezone: "UTC", currency: "USD")]) {
            client, cookie in
            try await Self.deliver(
                client,
                LedgerScenario.status("m1", "delivered", at: Self.september, pricing: LedgerScenario.pmp("marketing")))
            let builder = WebhookBodyBuilder()
            try await Self.deliver(
                client,
                builder.callBody(
                    account: "A", phoneNumberId: "106540352242922",
                    call: .init(
                        id: "wacid.1", event: "terminate", timestamp: Self.september + 100,
                        direction: "BUSINESS_INITIATED", from: "15552242922", to: "919876543210", status: "COMPLETED",
                        answered: (Self.september, Self.september + 56, 56))))
            let report = try await fixture.store.report(
                accountID: "A", month: YearMonth("2026-09")!, now: ServerFixture.now)
            #expect(report.calls.charged == 1)
            try await client.execute(uri: "/accounts/A?month=2026-09", method: .get, headers: [.cookie: cookie]) {
                let page = String(buffer: $0.body)
                #expect(page.contains("<h2>Voice calls</h2>"))
                #expect(page.contains("Placed 1, answered 1, charged 1"))
                #expect(
                    page.contains(
                        "<td>India</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">1</td>"))
                // One minute to India at the built-in card's 0.0053, in the section and in the total.
                #expect(page.contains("0.0053 USD, included in the spend above"))
                #expect(report.cost.total == report.cost.messages + Decimal(string: "0.0053")!)
                #expect(page.contains("USD calling 2025-08-01"))
            }
        }
    }

    @Test("the account page shows the free tier used per phone number and the volume-tier pools beside Meta's tier")
    func tiers() async throws {
        let fixture = try ServerFixture()
        _ = try await fixture.store.upsertAccount(Account(id: "A", timezone: "UTC", currency: "USD"))
        let october = utc("2026-10-05T10:00:00Z")
        try await Self.app(fixture).test(.router) { client in
            let cookie = try await Self.signIn(client)
            for body in [
                LedgerScenario.status(
                    "s1", "delivered", at: october,
                    pricing: LedgerScenario.pmp("service", type: "free_customer_service")),
                LedgerScenario.status(
                    "s2", "delivered", at: october + 60,
                    pricing: LedgerScenario.pmp("service", type: "free_customer_service")),
                LedgerScenario.status("u1", "delivered", at: october, pricing: LedgerScenario.pmp("utility")),
                LedgerScenario.tierUpdate(
                    account: "A", month: "2026-10", region: "India", category: "UTILITY", tier: "100001:500000",
                    at: october),
            ] {
                try await Self.deliver(client, body)
            }
            let report = try await fixture.store.report(
                accountID: "A", month: YearMonth("2026-10")!, now: ServerFixture.now)
            let pool = try #require(report.volumeTiers.first { $0.market == "India" && $0.category == "utility" })
            try await client.execute(uri: "/accounts/A?month=2026-10", method: .get, headers: [.cookie: cookie]) {
                let page = String(buffer: $0.body)
                #expect(page.contains("<h2>Free tier used</h2>"))
                #expect(page.contains("service messages, 106540352242922 (15552242922): 2 of 1,000"))
                #expect(page.contains("<h2>Volume tiers</h2>"))
                #expect(page.contains("<td>India</td><td>utility</td><td class=\"num\">1</td><td class=\"num\">1</td>"))
                #expect(page.contains("<td>\(pool.tier ?? "no tier table")</td><td>100001:500000"))
                // wameter's count (1 message) is in the first tier; Meta announced another: flagged.
                #expect(page.contains("differs") == (pool.tier != nil && pool.tier != "100001:500000"))
            }
            // September has neither section.
            try await client.execute(uri: "/accounts/A?month=2026-09", method: .get, headers: [.cookie: cookie]) {
                let page = String(buffer: $0.body)
                #expect(!page.contains("Free tier used") && !page.contains("<h2>Volume tiers</h2>"))
            }
        }
    }

    @Test("the version pages poll moves when a delivery is committed")
    func version() async throws {
        let fixture = try ServerFixture()
        try await Self.signedIn(fixture) { client, cookie in
            let before = try await client.execute(
                uri: "/dashboard/version", method: .get, headers: [.cookie: cookie]
            ) { String(buffer: $0.body) }
            try await Self.deliver(
                client,
                LedgerScenario.status("m1", "delivered", at: Self.september, pricing: LedgerScenario.pmp("marketing")))
            let after = try await client.execute(
                uri: "/dashboard/version", method: .get, headers: [.cookie: cookie]
            ) { String(buffer: $0.body) }
            #expect(before != after)
        }
    }

    @Test("signing out ends the session; a one-time link signs in once")
    func signOutAndOneTimeLinks() async throws {
        let fixture = try ServerFixture()
        let sessions = DashboardSessions()
        let code = sessions.oneTimeCode(now: ServerFixture.now)
        try await Self.app(fixture, sessions: sessions).test(.router) { client in
            let cookie = try await client.execute(uri: "/sign-in/once?code=\(code)", method: .get) { response in
                #expect(response.status == .seeOther)
                return String(try #require(response.headers[.setCookie]).prefix { $0 != ";" })
            }
            try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]) { #expect($0.status == .ok) }
            try await client.execute(uri: "/sign-in/once?code=\(code)", method: .get) {
                #expect($0.status == .unauthorized)
            }
            // A link may say where to go, but only on this server.
            for (next, location) in [
                ("%2Faccounts%2FA", "/accounts/A"), ("%2F%2Fevil.example", "/"), ("https%3A%2F%2Fevil.example", "/"),
                ("%2F%5Cevil.example", "/"), ("%2Fa%0D%0ASet-Cookie%3A%20x%3Dy", "/"),
            ] {
                let again = sessions.oneTimeCode(now: ServerFixture.now)
                try await client.execute(uri: "/sign-in/once?code=\(again)&next=\(next)", method: .get) {
                    #expect($0.status == .seeOther)
                    #expect($0.headers[.location] == location, "next=\(next)")
                }
            }
            try await client.execute(uri: "/sign-out", method: .post, headers: [.cookie: cookie]) {
                #expect($0.status == .seeOther)
                #expect($0.headers[.setCookie]?.contains("Max-Age=0") == true)
            }
            try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]) {
                #expect($0.status == .seeOther)
            }
        }
    }
}
