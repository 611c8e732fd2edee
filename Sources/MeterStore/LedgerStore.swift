import Foundation
import MeterCore
import WhatsAppWebhook

/// A webhook body as received, already decoded (decoding happens before the store, so an invalid
/// body never reaches it).
public struct ReceivedBody: Sendable {
    /// Account for On-Premises bodies when the caller names none (they carry no WABA id).
    public static let defaultOnPremisesAccount = "on-premises"

    public var bytes: Data
    public var events: [WebhookEvent]
    public var receivedAt: Int64
    /// Where it came from, e.g. `http` or `file:webhooks.jsonl`.
    public var source: String
    public var onPremisesAccount: String

    public init(
        bytes: Data, events: [WebhookEvent], receivedAt: Int64, source: String,
        onPremisesAccount: String = ReceivedBody.defaultOnPremisesAccount
    ) {
        self.bytes = bytes
        self.events = events
        self.receivedAt = receivedAt
        self.source = source
        self.onPremisesAccount = onPremisesAccount
    }

    /// Decodes and wraps a body; throws (and so stores nothing) when it is not a valid webhook.
    public static func decode(
        _ bytes: Data, decoder: WebhookDecoder, receivedAt: Int64, source: String,
        onPremisesAccount: String = ReceivedBody.defaultOnPremisesAccount
    ) throws(WebhookDecodingError) -> ReceivedBody {
        let events = try decoder.decode(bytes, onPremisesAccount: onPremisesAccount)
        return ReceivedBody(
            bytes: bytes, events: events, receivedAt: receivedAt, source: source, onPremisesAccount: onPremisesAccount)
    }
}

/// A body from the raw archive, as it was received.
public struct ArchivedBody: Sendable, Equatable {
    public var id: Int64
    public var receivedAt: Int64
    public var source: String
    public var onPremisesAccount: String
    public var bytes: Data

    public init(id: Int64, receivedAt: Int64, source: String, onPremisesAccount: String, bytes: Data) {
        self.id = id
        self.receivedAt = receivedAt
        self.source = source
        self.onPremisesAccount = onPremisesAccount
        self.bytes = bytes
    }
}

/// What one `ingest` call did.
public struct IngestOutcome: Sendable, Equatable {
    public var bodies = 0
    public var statusEvents = 0
    public var inboundMessages = 0
    public var systemErrors = 0
    public var otherChanges = 0
    /// Accounts created because a webhook named them first (UTC, USD until `accounts add`).
    public var createdAccounts: [String] = []
    /// Archived bodies that a rebuild left out because they no longer pass the input rules (stored
    /// by a version of wameter that accepted them, see docs/input.md); they stay in the archive.
    public var skippedArchivedBodies: [Int64] = []

    public init() {}

    public mutating func add(_ other: IngestOutcome) {
        bodies += other.bodies
        statusEvents += other.statusEvents
        inboundMessages += other.inboundMessages
        systemErrors += other.systemErrors
        otherChanges += other.otherChanges
        createdAccounts += other.createdAccounts
        skippedArchivedBodies += other.skippedArchivedBodies
    }
}

/// What `upsertAccount` changed.
public enum AccountChange: Sendable, Equatable {
    case created
    case updated(timezoneChanged: Bool)
    case unchanged

    /// What storing `account` (already `filled(from:)` the existing one) over `existing` changes.
    /// Adding an account a webhook created is an update even when nothing else differs.
    static func of(storing account: Account, over existing: Account?) -> AccountChange {
        guard var previous = existing else { return .created }
        var stored = account
        stored.autoCreated = false
        previous.autoCreated = false
        return stored == previous ? .unchanged : .updated(timezoneChanged: previous.timezone != stored.timezone)
    }
}

extension Account {
    /// An update as it is stored: a name or portfolio it leaves out keeps the stored one.
    func filled(from existing: Account?) -> Account {
        var account = self
        account.name = name ?? existing?.name
        account.portfolio = portfolio ?? existing?.portfolio
        return account
    }
}

/// The ledger's storage. Implementations own their schema and migrations; everything they keep
/// besides the raw archive and the accounts and rates can be recomputed from those (`rebuild`).
public protocol LedgerStore: Sendable {
    /// Creates or updates an account. A new time zone moves every day bucket, so the account's
    /// rollups are recomputed in the same transaction.
    func upsertAccount(_ account: Account) async throws -> AccountChange
    func account(id: String) async throws -> Account?
    func accounts() async throws -> [Account]

    /// Adds rates, replacing any with the same effective day, currency, market and category, and
    /// tier tables, each replacing the stored table with the same key as a whole. Atomic. Once
    /// anything has been imported, reports use only imported rates (not the built-in card).
    func importRates(_ entries: [RateEntry], tiers: [TierEntry]) async throws
    func rateEntries() async throws -> [RateEntry]
    func tierEntries() async throws -> [TierEntry]

    /// Archives the bodies and applies their effects in one transaction: when it returns, all of it
    /// is durable; when it throws, none of it is stored.
    func ingest(_ bodies: [ReceivedBody]) async throws -> IngestOutcome

    /// Gathers what a month's report is computed from; `now` decides pending versus dropped.
    func reportInputs(account: Account, month: YearMonth, now: Int64) async throws -> ReportInputs

    /// Recomputes every derived table from the raw archive, atomically. A body the decoder now
    /// rejects is left out and named in `skippedArchivedBodies`, so one old body cannot block it.
    func rebuild(decoder: WebhookDecoder) async throws -> IngestOutcome

    /// Number of bodies archived (every delivery, retries included).
    func archivedBodyCount() async throws -> Int

    /// Archived bodies with ids above `id`, in id order, at most `limit` (for copying a ledger to
    /// another database: page with the last id returned).
    func archivedBodies(after id: Int64, limit: Int) async throws -> [ArchivedBody]

    /// Checks that the database answers (for health checks).
    func ping() async throws
}

public enum LedgerStoreError: Error, CustomStringConvertible, Equatable {
    case unknownAccount(String)
    case invalidAccount(String, [String])
    case corruptArchive(id: Int64, reason: String)

    public var description: String {
        switch self {
        case .unknownAccount(let id): "unknown account \(id) (add it with `wameter accounts add`)"
        case .invalidAccount(let id, let problems): "account \(id): " + problems.joined(separator: "; ")
        case .corruptArchive(let id, let reason): "archived body \(id) no longer decodes: \(reason)"
        }
    }
}

extension LedgerStore {
    /// The month's report for an account, rated with the stored rate card.
    public func report(accountID: String, month: YearMonth, now: Int64) async throws -> Report {
        guard let account = try await account(id: accountID) else { throw LedgerStoreError.unknownAccount(accountID) }
        return ReportBuilder.build(try await reportInputs(account: account, month: month, now: now))
    }
}
