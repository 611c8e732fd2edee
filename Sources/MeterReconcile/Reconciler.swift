import Foundation
import MeterCore
import MeterStore
import WhatsAppWebhook

/// Why a reconciliation could not run (as opposed to finding differences).
public enum ReconcileError: Error, Sendable, CustomStringConvertible {
    case unknownAccount(String)
    case unknownTimezone(String)
    case unreadableFile(String, String)
    case noAnalytics

    public var description: String {
        switch self {
        case .unknownAccount(let id): "no account \(id) (add it with `wameter accounts add`)"
        case .unknownTimezone(let zone): "the account's time zone \(zone) is unknown"
        case .unreadableFile(let name, let reason): "\(name): \(reason)"
        case .noAnalytics: "the files hold no pricing_analytics, conversation_analytics or call_analytics answer"
        }
    }
}

/// Where Meta's side comes from.
public enum ReconcileSource: Sendable {
    /// The Graph API.
    case graph(GraphAnalyticsClient)
    /// Responses saved as JSON files: each file one response page, or a list of pages; the field
    /// is read from each page.
    case files([(name: String, contents: [UInt8])])
}

/// Checks one account's month against Meta's analytics: fetches (or reads) Meta's answer for the
/// fields of `ReconcileRequest`, asks the ledger the same question through the insights, and
/// compares cell by cell (`DriftFinder`).
public struct Reconciler: Sendable {
    let store: any LedgerStore

    public init(store: any LedgerStore) {
        self.store = store
    }

    public func reconcile(
        account id: String, month: YearMonth, source: ReconcileSource, tolerance: CostTolerance, now: Int64
    ) async throws -> Reconciliation {
        guard let account = try await store.account(id: id) else { throw ReconcileError.unknownAccount(id) }
        guard let calendar = BillingCalendar(timezoneIdentifier: account.timezone) else {
            throw ReconcileError.unknownTimezone(account.timezone)
        }
        var notes: [String] = []
        var metaSide: [(field: GraphField, pages: [MetaAnalyticsPage])] = []
        let requested = ReconcileRequest.fields(month: month, calendar: calendar)
        switch source {
        case .graph(let client):
            func fetch(_ field: GraphField) async throws -> (field: GraphField, pages: [MetaAnalyticsPage]) {
                do {
                    return (field, try await client.pages(account: id, field: field, calendar: calendar))
                } catch GraphClientError.meta(let error, _) where error.isCostUnavailable {
                    // Partner-billed businesses see volumes only (reference §9.2).
                    let volumes = ReconcileRequest.fields(month: month, calendar: calendar, cost: false)
                        .first { $0.name == field.name }!
                    notes.append(
                        "Meta does not show cost for \(field.name) to this account (billed through a Solution "
                            + "Partner): volumes compared, cost not")
                    return (volumes, try await client.pages(account: id, field: volumes, calendar: calendar))
                }
            }
            for field in requested {
                do {
                    metaSide.append(try await fetch(field))
                } catch GraphClientError.meta(let error, _)
                    where field.name == GraphAnalyticsRequest.Field.callAnalytics.rawValue && error.code == 100
                {
                    // Calling is not enabled for every account; messages are still worth comparing.
                    notes.append("Meta refused call_analytics (\(error.message)): calls not compared")
                }
            }
        case .files(let files):
            var pagesByField: [String: [MetaAnalyticsPage]] = [:]
            for file in files {
                for page in try Self.pages(in: file, calendar: calendar) {
                    pagesByField[page.field.rawValue, default: []].append(page)
                }
            }
            for field in requested {
                if let pages = pagesByField.removeValue(forKey: field.name) {
                    metaSide.append((field, pages))
                } else {
                    notes.append("no \(field.name) in the files: not compared")
                }
            }
            for name in pagesByField.keys.sorted() {
                notes.append("\(name) in the files is not what \(month) is billed by: ignored")
            }
            guard !metaSide.isEmpty else { throw ReconcileError.noAnalytics }
        }

        let rateCard = try await store.rateCard(currency: account.currency)
        let lagFrom = calendar.day(of: now - 86_400)
        var totals: [Reconciliation.FieldTotals] = []
        var drifts: [Drift] = []
        for (field, pages) in metaSide {
            let request = try GraphAnalyticsRequest.parse(field)
            var meta = AnalyticsCells(field: request.field)
            for page in pages {
                for (key, figures) in page.cells.cells { meta.add(key, figures) }
            }
            let showsCost = pages.contains(where: \.showsCost)
            let result = try await store.insights(
                scope: .accounts([id]), query: request.query(calendar: calendar), now: now)
            let wameter = AnalyticsCells(result, request: request)
            let finder = DriftFinder(
                tolerance: tolerance, compareCost: showsCost, currency: account.currency, lagFrom: lagFrom,
                rateCard: rateCard)
            drifts += finder.drifts(meta: meta, wameter: wameter)
            totals.append(
                Reconciliation.FieldTotals(
                    field: request.field, metaUnits: meta.units, metaCost: showsCost ? meta.cost : nil,
                    wameterUnits: wameter.units, wameterCost: wameter.cost ?? 0, wameterUnrated: wameter.unrated,
                    costCompared: showsCost, points: pages.reduce(0) { $0 + $1.points }, pages: pages.count))
        }
        let sourceName: String
        if case .graph = source { sourceName = "graph" } else { sourceName = "file" }
        return Reconciliation(
            account: id, month: month, timezone: account.timezone, currency: account.currency, source: sourceName,
            tolerance: tolerance, checkedAt: now, fields: totals, drifts: drifts, notes: notes)
    }

    /// The pages of a saved file: one response, or a JSON list of responses.
    static func pages(
        in file: (name: String, contents: [UInt8]), calendar: BillingCalendar
    ) throws -> [MetaAnalyticsPage] {
        let json: JSONValue
        do {
            json = try JSONValue.parse(file.contents)
        } catch {
            throw ReconcileError.unreadableFile(file.name, "not JSON: \(error)")
        }
        let documents = json.array ?? [json]
        return try documents.enumerated().map { index, document in
            do {
                return try MetaAnalyticsPage.read(document, field: nil, calendar: calendar)
            } catch let error as MetaGraphError {
                throw ReconcileError.unreadableFile(file.name, "holds Meta's error \(error), not analytics")
            } catch {
                let page = documents.count > 1 ? " (response \(index + 1))" : ""
                throw ReconcileError.unreadableFile(file.name + page, "\(error)")
            }
        }
    }
}
