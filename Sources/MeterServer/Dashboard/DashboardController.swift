import Foundation
import HTTPTypes
import Hummingbird
import MeterCore
import MeterStore
import NIOCore
import ServiceLifecycle

/// The dashboard: server-rendered pages over the report and the insights query (`GET /`, `GET
/// /accounts/{id}`), signed in with the API token or a scoped token through a form that sets a
/// session cookie (HttpOnly, SameSite=Strict, Secure over HTTPS); the token never travels in a URL.
/// A session signed in with a scoped token sees only the accounts the token reads. Pages listen to
/// `GET /dashboard/events` (or poll `GET /dashboard/version`) and refresh themselves when the
/// committer has made new deliveries durable.
struct DashboardController<Context: AccessControlledContext> {
    let store: any LedgerStore
    let access: APIAccess
    let sessions: DashboardSessions
    let version: LedgerVersion
    let events: DashboardEvents
    let metrics: ServerMetrics
    let clock: @Sendable () -> Int64
    /// One render per page and ledger version, shared by every open browser.
    let cache = DashboardRenderCache()

    static var cookieName: String { "wameter_session" }

    func addRoutes(to router: Router<Context>) {
        router.get("sign-in", use: signInForm)
        router.post("sign-in", use: signIn)
        router.get("sign-in/once", use: signInOnce)
        router.post("sign-out", use: signOut)
        let pages = router.group().add(middleware: DashboardSessionMiddleware(sessions: sessions, access: access))
        pages.get("/", use: overview)
        pages.get("accounts/:id", use: account)
        pages.get("dashboard/version", use: currentVersion)
        pages.get("dashboard/events", use: versionEvents)
    }

    // MARK: - Signing in and out

    @Sendable func signInForm(_ request: Request, context: Context) async throws -> Response {
        Self.html(DashboardTemplates.render(["title": "Sign in"], "signIn"))
    }

    @Sendable func signIn(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.body.collect(upTo: 8 * 1024)
        let form = Self.formFields(String(buffer: body))
        guard let offered = form["token"], let grant = try await access.grant(for: offered) else {
            return Self.html(
                DashboardTemplates.render(
                    ["title": "Sign in", "error": "That is not an API token, or it was revoked or has expired."],
                    "signIn"),
                status: .unauthorized)
        }
        return startSession(request, grant: grant)
    }

    /// `wameter demo`'s link: a code that signs one browser in once (not the token).
    @Sendable func signInOnce(_ request: Request, context: Context) async throws -> Response {
        guard let code = request.uri.queryParameters["code"], sessions.redeem(String(code), now: clock()) else {
            return Self.html(
                DashboardTemplates.render(
                    ["title": "Sign in", "error": "That sign-in link was used already or has expired."], "signIn"),
                status: .unauthorized)
        }
        return startSession(
            request, grant: .administrator,
            to: Self.localPath(request.uri.queryParameters["next"].map(String.init)) ?? "/")
    }

    @Sendable func signOut(_ request: Request, context: Context) async throws -> Response {
        if let id = Self.sessionID(request) { sessions.end(id) }
        var response = Self.redirect("/sign-in")
        response.headers[values: .setCookie] = [
            "\(Self.cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict\(Self.secure(request))"
        ]
        return response
    }

    private func startSession(_ request: Request, grant: APIAccess.Grant, to location: String = "/") -> Response {
        let id = sessions.create(now: clock(), grant: grant)
        var response = Self.redirect(location)
        response.headers[values: .setCookie] = [
            "\(Self.cookieName)=\(id); Path=/; Max-Age=\(DashboardSessions.lifetime); HttpOnly; SameSite=Strict"
                + Self.secure(request)
        ]
        return response
    }

    // MARK: - Pages

    @Sendable func overview(_ request: Request, context: Context) async throws -> Response {
        let scope = try context.requireAccess()
        // Read before the figures: a commit in between makes the page refresh once more, never miss.
        let rendered = version.current
        let now = clock()
        // One page per scope: sessions of different tokens see different accounts.
        // Alerts are raised apart from the ledger's commits: the page is cached per latest alert too.
        let readable = try await store.accounts().filter(scope.admits)
        let alerts = try await store.alerts(visibleTo: AlertVisibility(scope, readable: readable), limit: 10)
        return Self.html(
            try await cache.page(
                "/ \(scope.kind) \(scope.value ?? "") #\(alerts.first?.alert.id ?? "")", version: rendered
            ) {
                metrics.rendered()
                return try await renderOverview(scope: scope, alerts: alerts, version: rendered, now: now)
            })
    }

    private func renderOverview(
        scope: AccessScope, alerts: [StoredAlert], version rendered: UInt64, now: Int64
    ) async throws -> String {
        var lines: [DashboardPages.OverviewLine] = []
        for account in try await store.accounts() where scope.admits(account) {
            let calendar = BillingCalendar(timezoneIdentifier: account.timezone) ?? .utc
            let today = calendar.day(of: now)
            let month = YearMonth(containing: today)
            let report = try await store.report(accountID: account.id, month: month, now: now)
            let days = month.dayCount
            let elapsed = Int(today - month.firstDay) + 1
            let previous = try await previousSpend(account, month: month, dayOfMonth: elapsed, now: now)
            lines.append(
                .init(account: account, report: report, previous: previous, elapsedDays: elapsed, monthDays: days))
        }
        var page = DashboardPages.overview(lines)
        page["alerts"] = DashboardPages.alerts(
            alerts,
            names: Dictionary(lines.compactMap { line in line.account.name.map { (line.account.id, $0) } }) { $1 })
        page["signedIn"] = true
        page["live"] = true
        page["version"] = String(rendered)
        return DashboardTemplates.render(page, "overview")
    }

    @Sendable func account(_ request: Request, context: Context) async throws -> Response {
        let scope = try context.requireAccess()
        let id = try context.parameters.require("id")
        // An account the session's token does not read looks exactly like one that does not exist.
        guard let account = try await store.account(id: id), scope.admits(account) else {
            return Self.html(
                DashboardTemplates.render(["title": "Not found", "signedIn": true], "head")
                    + "<h1>No account \(SVGBarChart.escape(String(id.prefix(40))))</h1><p><a href=\"/\">Every account</a></p>"
                    + DashboardTemplates.render([:], "foot"), status: .notFound)
        }
        let rendered = version.current
        let now = clock()
        let calendar = BillingCalendar(timezoneIdentifier: account.timezone) ?? .utc
        // `day=YYYY-MM-DD` shows that day by half-hour; otherwise `month=YYYY-MM`, by day.
        var chosenDay: DayKey?
        if let text = request.uri.queryParameters["day"] {
            guard let parsed = DayKeys.parse(String(text)) else {
                throw HTTPError(.badRequest, message: "day must be YYYY-MM-DD")
            }
            chosenDay = parsed
        }
        let day = chosenDay
        let month: YearMonth
        if let day {
            month = YearMonth(containing: day)
        } else if let text = request.uri.queryParameters["month"] {
            guard let parsed = YearMonth(String(text)) else {
                throw HTTPError(.badRequest, message: "month must be YYYY-MM")
            }
            month = parsed
        } else {
            month = YearMonth(containing: calendar.day(of: now))
        }
        // The month's last check against Meta is kept apart from the ledger (its version does not
        // move when one is saved), so the page is cached per check as well.
        let check = try await store.reconciliations(accounts: [account.id], month: month, limit: 1).first
        let key =
            (day.map { "/accounts/\(account.id)?day=\(DayKeys.format($0))" } ?? "/accounts/\(account.id)?\(month)")
            + "#\(check?.checkedAt ?? 0)"
        return Self.html(
            try await cache.page(key, version: rendered) {
                metrics.rendered()
                return try await renderAccount(
                    account, month: month, day: day, check: check, version: rendered, now: now)
            })
    }

    private func renderAccount(
        _ account: Account, month: YearMonth, day: DayKey?, check: StoredReconciliation?, version rendered: UInt64,
        now: Int64
    ) async throws
        -> String
    {
        // One insights query, by day (or, for a day, by half-hour) and every breakdown the page
        // shows, priced once; the tables and charts are sums of its rows (five queries took five
        // times as long: 0.7 s at 3.3 million messages a month).
        let calendar = BillingCalendar(timezoneIdentifier: account.timezone) ?? .utc
        let from = day ?? month.firstDay
        let to = day ?? month.lastDay
        let granularity: InsightsGranularity = day == nil ? .day : .halfHour
        // With the report, for what the insights do not carry (the free tier used, the volume-tier
        // pools with Meta's announced tiers, the rate cards in force), from the same pricing.
        let (detail, report) = try await store.insightsAndReport(
            account: account.id, month: month,
            query: InsightsQuery(
                from: from, to: to, granularity: granularity, dimensions: [.category, .phone, .market, .country],
                filters: InsightsFilters()),
            now: now)
        let period = day.map { "from=\(DayKeys.format($0))&to=\(DayKeys.format($0))" } ?? "from=\(month)"
        func csv(_ granularity: String, _ by: String) -> String {
            "/api/v1/insights?account=\(account.id)&\(period)&granularity=\(granularity)&by=\(by)&format=csv"
        }
        var page = DashboardPages.account(
            account, month: month, day: day,
            periods: DashboardPages.periods(month: month, day: day, calendar: calendar),
            detail: detail, report: report,
            csv: [
                "day": csv(granularity.rawValue, "category"), "phone": csv("total", "phone"),
                "market": csv("total", "market"), "country": csv("total", "country"),
                "category": csv("total", "category"),
            ])
        page["reconciliation"] = check.map(DashboardPages.reconciliation) ?? false
        page["signedIn"] = true
        page["live"] = true
        page["version"] = String(rendered)
        return DashboardTemplates.render(page, "account")
    }

    /// `GET /dashboard/events`: the ledger's version as server-sent events (`event: version`), the
    /// current one at once, then each time it moves (at most four times a second). Pages use it
    /// instead of polling when the browser can.
    @Sendable func versionEvents(_ request: Request, context: Context) async throws -> Response {
        guard let (id, versions) = events.subscribe() else {
            return Response(
                status: .serviceUnavailable, headers: [.retryAfter: "5", .contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "too many open dashboard pages; polling still works")))
        }
        let events = self.events
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/event-stream", .cacheControl: "no-store",
                // Proxies that buffer responses (nginx) would hold the events back.
                HTTPField.Name("X-Accel-Buffering")!: "no",
            ],
            body: ResponseBody { writer in
                defer { events.end(id) }
                // A reconnecting browser waits two seconds.
                try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                // On shutdown the stream ends (the server waits for open responses to finish).
                try await withGracefulShutdownHandler {
                    for await version in versions {
                        try await writer.write(ByteBuffer(string: "event: version\ndata: \(version)\n\n"))
                    }
                } onGracefulShutdown: {
                    events.end(id)
                }
                try await writer.finish(nil)
            })
    }

    @Sendable func currentVersion(_ request: Request, context: Context) async throws -> Response {
        var response = Response(
            status: .ok, headers: [.contentType: "text/plain", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: String(version.current))))
        response.headers[.contentType] = "text/plain; charset=utf-8"
        return response
    }

    /// Spend of the month before `month`, from its first day to the same day of the month (or its
    /// last day when shorter), in the account's currency.
    private func previousSpend(
        _ account: Account, month: YearMonth, dayOfMonth: Int, now: Int64
    ) async throws
        -> Decimal
    {
        let previous = month.previous
        let last = previous.firstDay + DayKey(min(dayOfMonth, previous.dayCount) - 1)
        let result = try await store.insights(
            scope: .accounts([account.id]),
            query: InsightsQuery(
                from: previous.firstDay, to: last, granularity: .total, dimensions: [], filters: InsightsFilters()),
            now: now)
        return result.totals.first { $0.currency == account.currency }?.metrics.cost ?? 0
    }

    // MARK: - Helpers

    /// Where to go once signed in: a path on this server only, never another site (`//host`,
    /// `/\host`) nor anything that could split a header.
    static func localPath(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), next.count <= 512,
            next.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else { return nil }
        return next
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy:
                    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:; "
                    + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// `; Secure` when the browser reached us over HTTPS (directly, or through a proxy that says so).
    static func secure(_ request: Request) -> String {
        let proto = request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased()
        return request.uri.scheme?.rawValue == "https" || proto == "https" ? "; Secure" : ""
    }

    static func sessionID(_ request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == cookieName {
                    return String(parts[1]).trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
    }

    /// `application/x-www-form-urlencoded` fields.
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if let name = parts.first { fields[name] = parts.count > 1 ? parts[1] : "" }
        }
        return fields
    }
}

/// Dashboard pages need a signed-in browser: without a valid session cookie (or with one whose
/// token was revoked since), a page request is sent to the sign-in form (and the version poll
/// answers 401). Sets the request's scope from the session.
struct DashboardSessionMiddleware<Context: AccessControlledContext>: RouterMiddleware {
    let sessions: DashboardSessions
    let access: APIAccess

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let id = DashboardController<Context>.sessionID(request),
            let grant = try await sessions.grant(id, now: access.clock(), access: access)
        else {
            if request.uri.path.hasPrefix("/dashboard/") { return Response(status: .unauthorized) }
            return DashboardController<Context>.redirect("/sign-in")
        }
        var context = context
        context.access = grant.scope
        return try await next(request, context)
    }
}
