import ArgumentParser
import Foundation
import MeterCore
import MeterStore
import WhatsAppWebhook

/// `wameter migrate --to DEST`: moves a ledger to another database, e.g. from the SQLite file to
/// PostgreSQL when one instance is no longer enough (or back).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy the ledger (accounts, rate cards, raw archive) to another, empty database.",
        discussion: """
            Reads the database named by --database (only reads it) and writes to --to: the accounts \
            added with `accounts add`, every imported rate and volume tier, and every archived body with \
            its original receive time and source. The ledger at the destination is computed from the \
            archive as it is copied, so its reports equal the source's. Accounts created by webhooks \
            are created again by their bodies. Stop the servers writing to the source first, or run it \
            again on a fresh destination afterwards.

            Example: wameter migrate --database wameter.sqlite --to postgres://wameter:secret@db:5432/wameter
            """)

    @OptionGroup var options: DatabaseOptions
    @Option(
        help: ArgumentHelp(
            "The destination: a SQLite path or postgres:// URL. Must hold no archive.", valueName: "path|url"))
    var to: String
    @Option(help: "Bodies copied per transaction.") var batchSize = 10_000
    @Flag(help: "Do not print progress (it is printed only on a terminal anyway).") var quiet = false

    /// Progress lines only on a terminal, without `--quiet`.
    var showsProgress: Bool { ProgressReport.isWanted(quiet: quiet) }

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if to == options.location { throw ValidationError("--to must name another database than --database") }
    }

    func run() async throws {
        let started = Date()
        let (accounts, rates, tokens, bodies) = try await options.withStore(existing: true) { source in
            try await DatabaseOptions.withStore(at: to) { destination in
                guard try await destination.archivedBodyCount() == 0 else {
                    throw CommandFailure(
                        "\(DatabaseOptions.display(to)) already holds archived bodies; migrate into an empty database")
                }
                return try await copy(from: source, to: destination)
            }
        }
        print(
            "migrated \(accounts) account(s), \(rates) rate and tier entries"
                + (tokens > 0 ? ", \(tokens) API token(s)" : "") + " and \(bodies) archived bodies "
                + "from \(options.displayLocation) to \(DatabaseOptions.display(to)) "
                + "in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
    }

    private func copy(
        from source: any LedgerStore, to destination: any LedgerStore
    ) async throws -> (Int, Int, Int, Int) {
        // Accounts first, so that bodies are bucketed in their real time zones as they are copied.
        let accounts = try await source.accounts().filter { !$0.autoCreated }
        for account in accounts { _ = try await destination.upsertAccount(account) }
        let rates = try await source.rateEntries()
        let tiers = try await source.tierEntries()
        for card in try await source.rateCards() {
            let inCard = { (currency: String, day: DayKey, category: String) in
                currency == card.currency && day == card.effectiveFrom
                    && RateCardEdition.Product(category: category) == card.product
            }
            try await destination.importRates(
                rates.filter { inCard($0.currency, $0.effectiveFrom, $0.category) },
                tiers: tiers.filter { inCard($0.currency, $0.effectiveFrom, $0.category) },
                kind: card.kind, importedAt: card.importedAt)
        }
        // Tokens keep working against the new database: their hashes are copied as they are.
        var tokens = 0
        for token in try await source.tokens() {
            do {
                try await destination.createToken(token)
                tokens += 1
            } catch LedgerStoreError.tokenNameTaken(let name) {
                printError("token \(name) not copied: \(DatabaseOptions.display(to)) has a token of that name already")
            }
        }

        let decoder = WebhookDecoder()
        let total = try await source.archivedBodyCount()
        var copied = 0
        var after: Int64 = 0
        let started = Date()
        var lastProgress = started
        // Reading and decoding the next page overlaps writing the previous ones.
        var pipeline = IngestPipeline(store: destination)
        while true {
            let page = try await source.archivedBodies(after: after, limit: batchSize)
            guard let last = page.last else { break }
            // A body stored by a version of wameter that accepted what the input rules now refuse is
            // not copied (the destination would refuse it too); the source keeps it, and it is named.
            var received = PreparedBodies()
            for archived in page {
                do {
                    received.append(
                        try ReceivedBody.decode(
                            archived.bytes, decoder: decoder, receivedAt: archived.receivedAt, source: archived.source,
                            onPremisesAccount: archived.onPremisesAccount))
                } catch {
                    printError("archived body \(archived.id) not copied: it no longer passes the input rules: \(error)")
                }
            }
            try await pipeline.submit(received)
            copied += received.count
            after = last.id
            // About every two seconds, not every page: a large archive is thousands of pages.
            let now = Date()
            if showsProgress, now.timeIntervalSince(lastProgress) >= 2, total > 0, copied > 0 {
                lastProgress = now
                let done = min(Double(copied) / Double(total), 1)
                let elapsed = now.timeIntervalSince(started)
                printError(
                    String(
                        format: "… %d of %d archived bodies, %.0f%%, about %@ left", copied, total, done * 100,
                        ProgressReport.duration(elapsed * (1 - done) / done)))
            }
        }
        _ = try await pipeline.finish()
        let copiedCount = try await destination.archivedBodyCount()
        guard copiedCount == copied else {
            throw CommandFailure("the destination holds \(copiedCount) archived bodies after copying \(copied)")
        }
        return (accounts.count, rates.count + tiers.count, tokens, copied)
    }
}
