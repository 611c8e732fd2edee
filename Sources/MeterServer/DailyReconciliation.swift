import AsyncHTTPClient
import Foundation
import Logging
import MeterCore
import MeterReconcile
import MeterStore
import ServiceLifecycle

/// `serve`'s opt-in daily check against Meta (`WAMETER_RECONCILE_DAILY_AT`): when to run and how
/// to reach the Graph API.
public struct DailyReconcileSettings: Sendable, Equatable {
    /// Seconds after 00:00 UTC.
    public var timeOfDay: Int
    public var graphURL: String
    public var graphVersion: String
    public var token: String

    public init(
        timeOfDay: Int, token: String, graphURL: String = GraphClientSettings.defaultBaseURL,
        graphVersion: String = GraphClientSettings.defaultVersion
    ) {
        self.timeOfDay = timeOfDay
        self.token = token
        self.graphURL = graphURL
        self.graphVersion = graphVersion
    }

    /// `HH:MM` (UTC) as seconds after midnight, or `nil`.
    public static func timeOfDay(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hours = Int(parts[0]),
            let minutes = Int(parts[1]), (0..<24).contains(hours), (0..<60).contains(minutes)
        else { return nil }
        return hours * 3_600 + minutes * 60
    }

    /// The first run time strictly after `now`.
    public func nextRun(after now: Int64) -> Int64 {
        let midnight = now - ((now % 86_400) + 86_400) % 86_400
        let today = midnight + Int64(timeOfDay)
        return today > now ? today : today + 86_400
    }
}

/// Runs `wameter reconcile` for every account once a day and keeps the results
/// (`GET /api/v1/reconciliations`, the dashboard). The month so far is checked every day, and in the
/// first week of a month the month before too (Meta's analytics and late deliveries settle in the
/// days after). A month already checked in the last 20 hours (by another instance sharing the
/// PostgreSQL database, or a restart) is not asked again.
public struct DailyReconciliation: Service {
    let store: any LedgerStore
    let settings: DailyReconcileSettings
    let clock: @Sendable () -> Int64
    let logger: Logger
    let client: GraphAnalyticsClient

    public init(
        store: any LedgerStore, settings: DailyReconcileSettings, clock: @escaping @Sendable () -> Int64,
        logger: Logger, http: HTTPClient = .shared
    ) {
        self.store = store
        self.settings = settings
        self.clock = clock
        self.logger = logger
        client = GraphAnalyticsClient(
            http: http,
            settings: GraphClientSettings(
                baseURL: settings.graphURL, version: settings.graphVersion, token: settings.token),
            logger: logger)
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let now = clock()
            let next = settings.nextRun(after: now)
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .seconds(next - now))
                }
            } catch {
                return  // shutting down
            }
            _ = await runOnce(now: clock())
        }
    }

    /// One account's month checked (or why not).
    public struct Outcome: Sendable, Equatable {
        public var account: String
        public var month: YearMonth
        /// `nil` when skipped (checked recently) or failed.
        public var agrees: Bool?
        public var problem: String?
    }

    /// Checks every account's due months now; failures are logged and reported, not thrown, so one
    /// account cannot stop the others.
    public func runOnce(now: Int64) async -> [Outcome] {
        let accounts: [Account]
        do {
            accounts = try await store.accounts()
        } catch {
            logger.warning("daily reconciliation: cannot list accounts", metadata: ["error": "\(error)"])
            return []
        }
        var outcomes: [Outcome] = []
        let reconciler = Reconciler(store: store)
        for account in accounts {
            guard let calendar = BillingCalendar(timezoneIdentifier: account.timezone) else { continue }
            let today = calendar.day(of: now)
            var months = [YearMonth(containing: today)]
            if today % 100 <= 7 { months.append(months[0].previous) }
            for month in months {
                do {
                    let recent = try await store.reconciliations(accounts: [account.id], month: month, limit: 1)
                    if let last = recent.first, last.checkedAt > now - 20 * 3_600 {
                        outcomes.append(Outcome(account: account.id, month: month, agrees: nil, problem: nil))
                        continue
                    }
                    let result = try await reconciler.reconcile(
                        account: account.id, month: month, source: .graph(client), tolerance: .standard, now: now)
                    try await store.saveReconciliation(StoredReconciliation(result))
                    logger.info(
                        "reconciled with Meta",
                        metadata: [
                            "account": "\(account.id)", "month": "\(month)", "agrees": "\(result.agrees)",
                            "differences": "\(result.drifts.count)",
                        ])
                    outcomes.append(Outcome(account: account.id, month: month, agrees: result.agrees, problem: nil))
                } catch {
                    logger.warning(
                        "daily reconciliation failed",
                        metadata: ["account": "\(account.id)", "month": "\(month)", "error": "\(error)"])
                    outcomes.append(
                        Outcome(account: account.id, month: month, agrees: nil, problem: "\(error)"))
                }
            }
        }
        return outcomes
    }
}
