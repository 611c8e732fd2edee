import Foundation
import WhatsAppWebhook

/// Bodies made ready for one ingest transaction: what the raw archive keeps of each, and their
/// events joined per record.
///
/// Preparing needs no database. A caller that feeds many bodies (`JSONLIngestor`) prepares the next
/// batch as it decodes, while the store's single writer commits the previous one, so the writer
/// spends its time only on what needs the database; and a body's decoded events are dropped as
/// soon as they are joined, so a batch waiting for the writer holds only the bytes and the joined
/// records.
public struct PreparedBodies: Sendable {
    /// A body as the raw archive keeps it.
    struct Archived: Sendable {
        var receivedAt: Int64
        var source: String
        var onPremisesAccount: String
        var bytes: Data
    }

    /// The bodies for the archive, in the order they were appended.
    private(set) var archived: [Archived] = []
    /// Their events, joined per record.
    private(set) var batch = LedgerBatch()
    /// Set by `IngestPipeline` when batches are written concurrently: when this batch may archive.
    var archiveTurn: ArchiveTurn?

    public init() {}

    public init(_ bodies: [ReceivedBody]) {
        archived.reserveCapacity(bodies.count)
        for body in bodies { append(body) }
    }

    /// Adds a body: its bytes to the archive rows, its events to the joined records.
    public mutating func append(_ body: ReceivedBody) {
        archived.append(
            Archived(
                receivedAt: body.receivedAt, source: body.source, onPremisesAccount: body.onPremisesAccount,
                bytes: body.bytes))
        batch.add(body.events, onPremisesAccount: body.onPremisesAccount)
    }

    /// Number of bodies.
    public var count: Int { archived.count }
    public var isEmpty: Bool { archived.isEmpty }
}
