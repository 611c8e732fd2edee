import Foundation
import MeterCore
import WhatsAppWebhook

/// The ledger's storage. Implementations own their schema and migrations; everything they keep
/// besides the raw archive and the accounts and rates can be recomputed from those (`rebuild`).
///
/// The types it speaks are beside it: `ReceivedBody` and `ArchivedBody` (what comes in and what is
/// kept), `IngestOutcome`, `LedgerStoreError`; the account rules are MeterCore's `AccountChange`;
/// the report use case is `LedgerStore+Report.swift`, over the read engine in `ReadEngine/`.
public protocol LedgerStore: Sendable {
    // MARK: Accounts

    /// Creates or updates an account. A new time zone moves every day bucket, so the account's
    /// rollups are recomputed in the same transaction.
    func upsertAccount(_ account: Account) async throws -> AccountChange
    func account(id: String) async throws -> Account?
    func accounts() async throws -> [Account]

    // MARK: Rate cards

    /// Imports cards: the rows of each currency and effective day are one card (`RateCardEdition`).
    /// As a whole card, its rates replace every rate imported before for that currency and day; as
    /// a patch, each rate replaces only the stored rate with its market and category. Tier tables
    /// replace the stored table with the same key as a whole, and a card of tier tables alone is
    /// always a patch (it never ends a card's rates). Atomic; `importedAt` is epoch seconds.
    func importRates(
        _ entries: [RateEntry], tiers: [TierEntry], kind: RateCardEdition.Kind, importedAt: Int64
    ) async throws
    /// Removes the imported card of a currency, day and product (its rates, tier tables and kind);
    /// `false` when none was imported. The built-in card of that day, if any, is in force again.
    func removeRateCard(currency: String, effectiveFrom: DayKey, product: RateCardEdition.Product) async throws -> Bool
    func rateEntries() async throws -> [RateEntry]
    func tierEntries() async throws -> [TierEntry]
    /// The imported cards, by currency, day and product.
    func rateCards() async throws -> [ImportedRateCardInfo]

    // MARK: API tokens

    /// Stores a new scoped token (its hash, never its secret); `LedgerStoreError.tokenNameTaken`
    /// when a token already has its name.
    func createToken(_ token: APIToken) async throws
    /// Every token, by name, expired ones included.
    func tokens() async throws -> [APIToken]
    /// The token whose secret hashes to `hash`, if any.
    func token(hash: String) async throws -> APIToken?
    /// Deletes a token; `false` when none has that name. It stops working at once.
    func revokeToken(name: String) async throws -> Bool
    /// Records that the token with `hash` made a request at `at` (epoch seconds).
    func recordTokenUse(hash: String, at: Int64) async throws

    // MARK: Reconciliations

    /// Keeps a reconciliation; a second one of the same account, month and second replaces it.
    func saveReconciliation(_ reconciliation: StoredReconciliation) async throws
    /// Kept reconciliations, newest first: of `accounts` (all when `nil`), of `month` (all when
    /// `nil`), at most `limit`.
    func reconciliations(accounts: [String]?, month: YearMonth?, limit: Int) async throws -> [StoredReconciliation]

    // MARK: Budgets and alerts

    /// Sets the budget of an account or portfolio (replacing the one it had).
    func setBudget(_ budget: Budget) async throws
    /// Every budget, accounts first, by scope.
    func budgets() async throws -> [Budget]
    /// Removes a budget; `false` when the scope had none.
    func removeBudget(_ scope: Budget.Scope) async throws -> Bool
    /// Keeps the alerts not raised before (by id), each with a pending delivery per target, in one
    /// transaction; answers those that are new. Raising an alert again does nothing.
    func raiseAlerts(_ alerts: [(alert: Alert, targets: [AlertTarget])], now: Int64) async throws -> [Alert]
    /// Kept alerts with their deliveries, newest first.
    func alerts(visibleTo visibility: AlertVisibility, limit: Int) async throws -> [StoredAlert]
    /// Claims up to `limit` deliveries due at `now` for `leaseSeconds`: no other caller gets them
    /// until the lease ends or `finishAlertDelivery` is called.
    func claimAlertDeliveries(now: Int64, leaseSeconds: Int64, limit: Int) async throws -> [AlertDelivery]
    func finishAlertDelivery(_ delivery: AlertDelivery, at: Int64, outcome: AlertDelivery.Outcome) async throws
    /// The end of the latest half-hour in which anything happened on the account (any counted
    /// event); `nil` when nothing ever did.
    func lastActivity(account: String) async throws -> Int64?

    // MARK: Ingest and the raw archive

    /// Archives the bodies and applies their effects in one transaction: when it returns, all of it
    /// is durable; when it throws, none of it is stored. `ingest(_: [ReceivedBody])` prepares them
    /// first; a caller with a pipeline prepares the next batch while this one is written.
    func ingest(_ prepared: PreparedBodies) async throws -> IngestOutcome

    /// How many `ingest` transactions a bulk load (`IngestPipeline`) should have running at once:
    /// more than one only where they overlap usefully (PostgreSQL: one batch's statements run in
    /// the server while the next is merged here); SQLite's one writer would only queue them.
    var ingestsInFlight: Int { get }

    /// Recomputes every derived table from the raw archive, atomically. A body the decoder now
    /// rejects is left out and named in `skippedArchivedBodies`, so one old body cannot block it.
    /// `progress` is told how many archived bodies have been replayed, after each batch.
    func rebuild(decoder: WebhookDecoder, progress: (@Sendable (Int) -> Void)?) async throws -> IngestOutcome

    /// Number of bodies archived (every delivery, retries included).
    func archivedBodyCount() async throws -> Int

    /// Archived bodies with ids above `id`, in id order, at most `limit` (for copying a ledger to
    /// another database: page with the last id returned).
    func archivedBodies(after id: Int64, limit: Int) async throws -> [ArchivedBody]

    // MARK: Reads

    /// Runs `body` over one consistent snapshot of the ledger: the primitives every query of the
    /// read engine (`ReportPlan`, …) is written on. `body` may run more than once when a backend
    /// retries a transaction, so it must only read.
    func withSnapshot<T: Sendable>(
        _ body: @escaping @Sendable (any LedgerSnapshot) async throws -> T
    ) async throws -> T

    /// The store's memo of local days per time zone, shared by its writers and read queries.
    var dayKeyCaches: DayKeyCaches { get }

    // MARK: Health

    /// Checks that the database answers (for health checks).
    func ping() async throws
}

extension LedgerStore {
    /// Rebuilds without reporting progress.
    public func rebuild(decoder: WebhookDecoder) async throws -> IngestOutcome {
        try await rebuild(decoder: decoder, progress: nil)
    }

    /// Imports whole cards now (tests, and copying a ledger card by card).
    public func importRates(_ entries: [RateEntry], tiers: [TierEntry]) async throws {
        try await importRates(entries, tiers: tiers, kind: .whole, importedAt: Int64(Date().timeIntervalSince1970))
    }
}

extension LedgerStore {
    /// Archives the bodies and applies their effects in one transaction (see
    /// `ingest(_: PreparedBodies)`).
    public func ingest(_ bodies: [ReceivedBody]) async throws -> IngestOutcome {
        try await ingest(PreparedBodies(bodies))
    }
}
