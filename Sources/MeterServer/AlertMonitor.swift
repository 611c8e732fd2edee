import AsyncHTTPClient
import Foundation
import Logging
import MeterCore
import MeterReconcile
import MeterStore
import NIOCore
import ServiceLifecycle
import Synchronization

/// Raises alerts and sends them, as one of `serve`'s services: every `interval` it evaluates the
/// rules (`AlertRules`) over each budget's month and each account, keeps the alerts not raised
/// before together with a pending delivery per target (the outbox, in one transaction), then POSTs
/// the deliveries that are due. A delivery is marked only when its target answered 2xx; a failure
/// is retried with a doubling pause, so an alert survives restarts and an unreachable receiver.
/// Several instances sharing PostgreSQL raise each alert once (its id) and send each delivery from
/// one instance at a time (a claim with a lease). A target should deduplicate on
/// `X-Wameter-Alert-Id`: a crash after a target answered and before the answer is recorded sends it
/// again.
public final class AlertMonitor: Service, Sendable {
    let store: any LedgerStore
    let settings: AlertSettings
    let clock: @Sendable () -> Int64
    let logger: Logger
    let http: HTTPClient
    /// The committer's version: while it and the budgets stay the same, the months are not priced
    /// again (for an hour at most: rate cards imported elsewhere, and the forecast's day, move
    /// without it). `nil`: priced on every pass.
    let version: LedgerVersion?
    /// How long a POST waits for the receiver's answer, and then again at most for its body.
    let timeout: TimeAmount
    private let priced = Mutex<Priced?>(nil)

    /// What the last pricing of the months saw.
    private struct Priced {
        var version: UInt64
        var budgets: [Budget]
        var at: Int64
    }

    /// A claim lasts this long; a sender that dies mid-send frees its deliveries after it.
    static let leaseSeconds: Int64 = 120
    /// Deliveries in flight at once (and the most claimed at once). A POST takes at most twice the
    /// timeout (20 s), well within a claim's lease.
    static let atOnce = 8
    /// The longest the months go unpriced while nothing is committed.
    static let repricing: Int64 = 3_600

    public init(
        store: any LedgerStore, settings: AlertSettings, clock: @escaping @Sendable () -> Int64, logger: Logger,
        http: HTTPClient = .shared, version: LedgerVersion? = nil, timeout: TimeAmount = .seconds(10)
    ) {
        self.store = store
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.http = http
        self.version = version
        self.timeout = timeout
    }

    public func run() async throws {
        if settings.secret == nil {
            logger.notice("WAMETER_ALERT_SECRET is not set: JSON alerts are kept but not sent until it is")
        }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            // A shutdown cancels a pass too: a POST cut short is not marked, so it is sent again
            // once its claim lapses (the target deduplicates on the alert id).
            // The first pass an interval after start: start-up prices nothing.
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .seconds(self.settings.interval))
                    _ = await self.evaluate(now: self.clock())
                    _ = await self.send(now: self.clock())
                }
            } catch {
                return
            }
        }
    }

    /// Raises what is due now; answers the alerts that are new. Failures are logged, not thrown.
    public func evaluate(now: Int64) async -> [Alert] {
        do {
            let (due, pricedNow) = try await due(now: now)
            let raised = try await store.raiseAlerts(due, now: now)
            // Remembered once its alerts are kept: a failed pass prices again.
            if let pricedNow { priced.withLock { $0 = pricedNow } }
            for alert in raised {
                logger.notice(
                    "alert raised",
                    metadata: ["id": "\(alert.id)", "kind": "\(alert.kind.rawValue)", "message": "\(alert.message)"])
            }
            return raised
        } catch {
            logger.warning("alerts could not be evaluated", metadata: ["error": "\(error)"])
            return []
        }
    }

    /// The alerts the rules give now, each with its targets: the budget's own (or, for an account's
    /// alert, those of every budget covering the account) and the settings' for all.
    private func due(now: Int64) async throws -> (due: [(alert: Alert, targets: [AlertTarget])], priced: Priced?) {
        let accounts = try await store.accounts()
        let budgets = try await store.budgets()
        // Read before pricing: a commit while it runs makes the next pass price again.
        let seen = version?.current
        let pricing = priced.withLock { last in
            guard let seen, let previous = last else { return true }
            return previous.version != seen || previous.budgets != budgets || now - previous.at >= Self.repricing
        }

        var reports: [String: Report] = [:]
        func report(_ account: Account) async throws -> Report? {
            if let report = reports[account.id] { return report }
            guard let calendar = BillingCalendar(timezoneIdentifier: account.timezone) else { return nil }
            let report = try await store.report(
                accountID: account.id, month: YearMonth(containing: calendar.day(of: now)), now: now)
            reports[account.id] = report
            return report
        }
        var due: [(alert: Alert, targets: [AlertTarget])] = []
        for budget in budgets where pricing {
            let covered = accounts.filter(budget.scope.covers)
            guard let first = covered.first, let calendar = BillingCalendar(timezoneIdentifier: first.timezone)
            else { continue }
            var reports: [Report] = []
            for account in covered { if let report = try await report(account) { reports.append(report) } }
            let month = AlertRules.BudgetMonth(
                budget: budget, month: YearMonth(containing: calendar.day(of: now)), reports: reports)
            for alert in AlertRules.budget(month, now: now) { due.append((alert, budget.notify + settings.notify)) }
        }
        for account in accounts {
            let targets =
                budgets.filter { $0.scope.covers(account) }.flatMap(\.notify) + settings.notify
            if let after = settings.silenceAfter,
                let alert = AlertRules.silence(
                    account: account.id, lastActivity: try await store.lastActivity(account: account.id), now: now,
                    after: after)
            {
                due.append((alert, targets))
            }
            guard let calendar = BillingCalendar(timezoneIdentifier: account.timezone) else { continue }
            let month = YearMonth(containing: calendar.day(of: now))
            if pricing, let report = try await report(account),
                let alert = AlertRules.unrated(account: account.id, month: month, count: report.unrated.count, now: now)
            {
                due.append((alert, targets))
            }
            if let threshold = settings.driftCells {
                for checked in [month, month.previous] {
                    guard
                        let last = try await store.reconciliations(accounts: [account.id], month: checked, limit: 1)
                            .first,
                        let body = try? JSONDecoder().decode(ReconciliationJSON.self, from: Data(last.body.utf8)),
                        let alert = AlertRules.drift(
                            account: account.id, month: checked, causes: body.causes, checkedAt: last.checkedAt,
                            threshold: threshold, now: now)
                    else { continue }
                    due.append((alert, targets))
                }
            }
        }
        return (due, pricing ? seen.map { Priced(version: $0, budgets: budgets, at: now) } : nil)
    }

    /// POSTs the deliveries due now; answers how many were delivered. Up to `atOnce` are in flight,
    /// each claimed when a place frees: a target that is slow or silent (a POST may take twice the
    /// timeout) holds one place, not the deliveries behind it, and no claim waits for others to be
    /// sent, so each is sent well within its lease (after which another instance would send it).
    public func send(now: Int64) async -> Int {
        await withTaskGroup(of: Bool.self) { group in
            var delivered = 0
            var inFlight = 0
            var more = true
            var tried: Set<String> = []
            while true {
                // A shutdown claims nothing more (what it cuts short stays claimed, unrecorded).
                if more && inFlight < Self.atOnce && !Task.isCancelled {
                    let claimed = await claim(now: now, limit: Self.atOnce - inFlight, tried: &tried)
                    more = claimed.more
                    for delivery in claimed.fresh { group.addTask { await self.attempt(delivery) } }
                    inFlight += claimed.fresh.count
                    if more && inFlight < Self.atOnce { continue }
                }
                guard let sent = await group.next() else { return delivered }
                inFlight -= 1
                if sent { delivered += 1 }
            }
        }
    }

    /// Up to `limit` of the deliveries that were due at `now`, claimed, leaving out those already
    /// tried this pass; `more`: whether others may be due.
    private func claim(now: Int64, limit: Int, tried: inout Set<String>) async -> (fresh: [AlertDelivery], more: Bool) {
        do {
            // A claim made late in a long pass still gets its whole lease from the time it is made.
            let claimed = try await store.claimAlertDeliveries(
                now: now, leaseSeconds: Self.leaseSeconds + max(0, clock() - now), limit: limit)
            // Once a pass, even a delivery whose next attempt falls before `now` (a clock behind
            // `now`, as tests set them).
            let fresh = claimed.filter { tried.insert("\($0.alert.id) \($0.target.format) \($0.target.url)").inserted }
            return (fresh, claimed.count == limit && !fresh.isEmpty)
        } catch {
            logger.warning("alert deliveries could not be read", metadata: ["error": "\(error)"])
            return ([], false)
        }
    }

    /// One delivery's POST and its outcome, recorded; whether it was delivered.
    private func attempt(_ delivery: AlertDelivery) async -> Bool {
        // Unsigned JSON is never sent: it waits (its claim lapses) until a secret is configured.
        if delivery.target.format == .json && settings.secret == nil { return false }
        let outcome = await post(delivery)
        let about: Logger.Metadata = ["id": "\(delivery.alert.id)", "host": "\(delivery.target.host)"]
        switch outcome {
        case .delivered:
            logger.info("alert delivered", metadata: about)
        case .retry(let next, let error):
            logger.info(
                "alert delivery failed; it is tried again",
                metadata: about.merging(["error": "\(error)", "next": "\(next)"]) { $1 })
        case .abandoned(let error):
            logger.error("alert delivery abandoned", metadata: about.merging(["error": "\(error)"]) { $1 })
        }
        do {
            try await store.finishAlertDelivery(delivery, at: clock(), outcome: outcome)
        } catch {
            logger.warning("alert delivery not recorded", metadata: ["error": "\(error)"])
        }
        return outcome == .delivered
    }

    func post(_ delivery: AlertDelivery) async -> AlertDelivery.Outcome {
        let body = delivery.alert.payload(for: delivery.target.format)
        var request = HTTPClientRequest(url: delivery.target.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "wameter-alerts")
        request.headers.add(name: "X-Wameter-Alert-Id", value: delivery.alert.id)
        if let secret = settings.secret {
            request.headers.add(name: AlertSignature.header, value: AlertSignature.value(for: body, secret: secret))
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let problem: String
        do {
            let response = try await http.execute(request, timeout: timeout)
            // The client's deadline ends with the answer's head: a receiver that never finishes its
            // body must not hold the outbox (and every other target) with it. The status decides.
            _ = try? await response.body.collect(upTo: 64 * 1024, within: timeout)
            if (200..<300).contains(response.status.code) { return .delivered }
            problem = "HTTP \(response.status.code)"
        } catch {
            problem = "\(error)"
        }
        let attempts = delivery.attempts + 1
        if attempts >= settings.attempts { return .abandoned(error: problem) }
        return .retry(next: clock() + settings.pause(after: attempts), error: problem)
    }
}
