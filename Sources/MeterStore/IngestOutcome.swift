/// What one `ingest` call did.
public struct IngestOutcome: Sendable, Equatable {
    public var bodies = 0
    public var statusEvents = 0
    public var inboundMessages = 0
    public var systemErrors = 0
    public var otherChanges = 0
    /// Call events and call statuses (`calls` field).
    public var callEvents = 0
    /// Messages sent from the Business app or by the Business Agent (echoes).
    public var echoMessages = 0
    /// Accounts created because a webhook named them first (UTC, USD until `accounts add`).
    public var createdAccounts: [String] = []
    /// Archived bodies that a rebuild left out because they no longer pass the input rules (stored
    /// by a version of wameter that accepted them, see docs/input.md); they stay in the archive.
    public var skippedArchivedBodies: [Int64] = []
    /// Ledger records (messages, conversations, inbound messages) created or changed. Zero when
    /// every body was already in the ledger: re-delivered bodies are archived again (the archive
    /// records arrivals) and merge as no-ops.
    public var changedRecords = 0

    public init() {}

    public mutating func add(_ other: IngestOutcome) {
        bodies += other.bodies
        statusEvents += other.statusEvents
        inboundMessages += other.inboundMessages
        systemErrors += other.systemErrors
        otherChanges += other.otherChanges
        callEvents += other.callEvents
        echoMessages += other.echoMessages
        createdAccounts += other.createdAccounts
        skippedArchivedBodies += other.skippedArchivedBodies
        changedRecords += other.changedRecords
    }
}
