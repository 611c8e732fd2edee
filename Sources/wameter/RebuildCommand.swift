import ArgumentParser
import Foundation
import MeterStore
import WhatsAppWebhook

struct RebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Recompute messages, conversations and counters from the raw archive.",
        discussion: "Atomic: reports keep showing the old ledger until the new one is complete.")

    @OptionGroup var options: DatabaseOptions
    @Flag(help: "Do not print progress (it is printed only on a terminal anyway).") var quiet = false

    func run() async throws {
        // Batches of bodies, allocated and freed over and over: keep them out of the heap.
        HeapSettings.apply()
        let started = Date()
        let outcome = try await options.withStore(existing: true) { store in
            // Said first: a large archive takes minutes, in one transaction that shows no progress.
            let bodies = try await store.archivedBodyCount()
            printError(
                "rebuilding the ledger from \(bodies) archived bodies, in one transaction "
                    + "(reports show the current ledger until it commits)…")
            var progress: (@Sendable (Int) -> Void)? = nil
            if ProgressReport.isWanted(quiet: quiet) {
                let report = ProgressReport(noun: "archived bodies")
                progress = { report.report($0, of: bodies) }
            }
            return try await store.rebuild(decoder: WebhookDecoder(), progress: progress)
        }
        print(
            "rebuilt from \(outcome.bodies) archived bodies: \(outcome.statusEvents) statuses, "
                + "\(outcome.inboundMessages) inbound messages in \(String(format: "%.2f", Date().timeIntervalSince(started))) s"
        )
        let skipped = outcome.skippedArchivedBodies
        if !skipped.isEmpty {
            printError(
                "warning: \(skipped.count) archived bodies no longer pass the input rules (docs/input.md) and were "
                    + "left out of the ledger; they stay in the archive. Ids: "
                    + skipped.prefix(20).map(String.init).joined(separator: ", ") + (skipped.count > 20 ? ", …" : ""))
        }
    }
}
