import ArgumentParser
import Foundation
import MeterStore
import WhatsAppWebhook

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest webhook bodies from a JSONL file (one body per line, as Meta POSTs them).",
        discussion: """
            Each line is archived and applied to the ledger; ingesting the same file twice changes no count. \
            Invalid lines are reported with their line number and skipped, and the exit status is then 1. \
            Webhooks for accounts never added create them with time zone UTC and currency USD (with a warning).
            """)

    @OptionGroup var options: DatabaseOptions
    @Argument(help: "The JSONL file, or - for standard input.") var file: String
    @Option(help: "Account for On-Premises bodies, which carry no account id.")
    var account: String = ReceivedBody.defaultOnPremisesAccount
    @Option(help: "Bodies per transaction.") var batchSize: Int = 10_000
    @Flag(help: "Do not print progress.") var quiet = false

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let problem = InputRules.accountIdProblem(account) {
            throw ValidationError("--account \"\(account)\" \(problem)")
        }
    }

    static func fileSize(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
    }

    func run() async throws {
        // Batches of bodies, allocated and freed over and over: keep them out of the heap.
        HeapSettings.apply()
        let handle: FileHandle
        if file == "-" {
            handle = .standardInput
        } else {
            handle = try CommandFailure.openForReading(file)
        }
        let name = file == "-" ? "stdin" : file
        let summary = try await options.withStore { store in
            var ingestor = JSONLIngestor(
                store: store,
                source: "file:" + (file == "-" ? "stdin" : URL(fileURLWithPath: file).lastPathComponent),
                onPremisesAccount: account)
            ingestor.batchSize = batchSize
            ingestor.onProblem = { printError("\(name):\($0.line): \($0.reason)") }
            if ProgressReport.isWanted(quiet: quiet) {
                // A percentage and the time left when the size is known (a file, not a pipe).
                let size = file == "-" ? nil : Self.fileSize(file)
                ingestor.progress = { progress in
                    var line =
                        "… \(progress.lines) lines, \(progress.events) events, "
                        + "\(Int(Double(progress.events) / max(progress.seconds, 0.001))) events/s"
                    if let size, size > 0, progress.bytes > 0 {
                        let done = min(Double(progress.bytes) / Double(size), 1)
                        let left = progress.seconds * (1 - done) / done
                        line += String(format: ", %.0f%%, about %@ left", done * 100, ProgressReport.duration(left))
                    }
                    printError(line)
                }
            }
            return try await ingestor.run(handle, receivedAt: Int64(Date().timeIntervalSince1970))
        }
        let outcome = summary.outcome
        for account in Set(outcome.createdAccounts).sorted() {
            printError(
                "warning: account \(account) was not added; it was created with time zone UTC and currency USD. "
                    + "Set them with `wameter accounts add \(account) --timezone ZONE --currency CODE`.")
        }
        let events =
            outcome.statusEvents + outcome.inboundMessages + outcome.systemErrors + outcome.otherChanges
            + outcome.callEvents + outcome.echoMessages
        print(
            "ingested \(outcome.bodies) bodies from \(name): "
                + "\(outcome.statusEvents) statuses, \(outcome.inboundMessages) inbound messages, "
                + "\(outcome.systemErrors) system errors, \(outcome.otherChanges) other changes"
                + (outcome.callEvents > 0 ? ", \(outcome.callEvents) call events" : "")
                + (outcome.echoMessages > 0 ? ", \(outcome.echoMessages) app or agent messages" : "") + "; "
                + "\(events) events in \(String(format: "%.2f", summary.seconds)) s")
        if outcome.statusEvents + outcome.inboundMessages > 0 && outcome.changedRecords == 0 {
            print(
                "every status and message was already in the ledger: no count changed "
                    + "(the bodies are archived again, as arrivals)")
        }
        if !summary.problems.isEmpty {
            printError("\(summary.problems.count) invalid line(s) skipped")
            throw ExitCode(1)
        }
    }
}
