import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import MeterCore
import MeterReconcile
import MeterStore
import NIOCore

struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile", abstract: "Compare an account's month with Meta's analytics.",
        discussion: """
            Fetches pricing_analytics and call_analytics (months from July 2025) or conversation_analytics \
            (earlier months) by day, country, phone number, category, pricing type and tier, from the Graph \
            API or from saved responses (--from-file), and compares them with the ledger cell by cell. Each \
            difference is listed with its likely cause. Exits 0 when nothing differs beyond the tolerance, \
            1 when something does, 2 when the comparison could not run. See docs/reconcile.md.
            """)

    @OptionGroup var options: DatabaseOptions
    @Option(help: "The account id (the WhatsApp Business Account id).") var account: String
    @Option(help: "The billing month, YYYY-MM, in the account's time zone.") var month: String
    @Option(
        name: .customLong("from-file"),
        help: "A saved Graph API response (or a JSON list of pages) instead of fetching; repeatable.")
    var files: [String] = []
    @Option(
        help: "The Graph API token; prefer WAMETER_GRAPH_TOKEN (a flag shows in the process list and shell history).")
    var graphToken: String?
    @Option(help: "The Graph API's scheme and host.") var graphURL = GraphClientSettings.defaultBaseURL
    @Option(help: "The Graph API version.") var graphVersion = GraphClientSettings.defaultVersion
    @Option(help: "Seconds per Graph API request.") var graphTimeout = 30
    @Option(help: "How far a cell's cost may differ: a percentage (1%) or an amount (0.05).")
    var tolerance = CostTolerance.standard.description
    @Option(help: "table, json or csv.") var format: ReportFormat = .table
    @Flag(help: "Keep the result in the ledger: listed at /api/v1/reconciliations and on the dashboard.")
    var save = false

    func validate() throws {
        if YearMonth(month) == nil { throw ValidationError("--month must be YYYY-MM, got \"\(month)\"") }
        if CostTolerance(tolerance) == nil {
            throw ValidationError("--tolerance must be a percentage such as 1% or an amount such as 0.05")
        }
        if graphTimeout <= 0 { throw ValidationError("--graph-timeout must be a positive number of seconds") }
        if let problem = AlertTarget.urlProblem(graphURL) { throw ValidationError("--graph-url: \(problem)") }
        if files.isEmpty && token == nil {
            throw ValidationError("give --graph-token (or WAMETER_GRAPH_TOKEN), or --from-file with saved responses")
        }
    }

    private var token: String? {
        graphToken ?? ProcessInfo.processInfo.environment["WAMETER_GRAPH_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    func run() async throws {
        let reconciliation: Reconciliation
        var client: HTTPClient?
        do {
            let source: ReconcileSource
            if files.isEmpty {
                let http = HTTPClient(eventLoopGroupProvider: .singleton)
                client = http
                source = .graph(
                    GraphAnalyticsClient(
                        http: http,
                        settings: GraphClientSettings(
                            baseURL: graphURL, version: graphVersion, token: token!,
                            timeout: .seconds(Int64(graphTimeout))),
                        logger: DatabaseOptions.commandLogger))
            } else {
                source = .files(
                    try files.map { path in
                        let handle = try CommandFailure.openForReading(path)
                        defer { try? handle.close() }
                        return (path, [UInt8](try handle.readToEnd() ?? Data()))
                    })
            }
            reconciliation = try await options.withStore(existing: true) { store in
                let result = try await Reconciler(store: store).reconcile(
                    account: account, month: YearMonth(month)!, source: source,
                    tolerance: CostTolerance(tolerance)!, now: Int64(Date().timeIntervalSince1970))
                if save { try await store.saveReconciliation(StoredReconciliation(result)) }
                return result
            }
            try await client?.shutdown()
        } catch {
            try? await client?.shutdown()
            // Like diff: 1 means "differs", so a failure to compare is 2.
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        switch format {
        case .json: print(String(decoding: WireJSON.encode(ReconciliationJSON(reconciliation)), as: UTF8.self))
        case .csv: print(reconciliation.csv(), terminator: "")
        case .table: print(reconciliation.table(render: TextTable.render), terminator: "")
        }
        if !reconciliation.agrees { throw ExitCode(1) }
    }
}
