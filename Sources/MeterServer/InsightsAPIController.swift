import Foundation
import HTTPTypes
import Hummingbird
import MeterCore
import MeterStore

/// `GET /api/v1/insights`: the insights query (`wameter insights`) with the same parameters, as
/// JSON, or as CSV (`format=csv` or `Accept: text/csv`) written row by row with a file name. The
/// group it is given checks the bearer token and sets its scope, which bounds every query: an
/// account outside it answers 404 as if it did not exist, and `all=true` means all it may read.
struct InsightsAPIController<Context: AccessControlledContext> {
    let store: any LedgerStore
    let clock: @Sendable () -> Int64

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("insights", use: insights)
    }

    /// Parameters other than filters (a filter is named by its dimension: `country=IN`).
    static var parameters: Set<String> {
        ["account", "portfolio", "all", "from", "to", "granularity", "by", "format", "forecast"]
    }

    @Sendable func insights(_ request: Request, context: Context) async throws -> Response {
        let access = try context.requireAccess()
        let parameters = request.uri.queryParameters
        var filters: [String: [String]] = [:]
        var unknown: [String] = []
        for name in Set(parameters.map { String($0.key) }) where !Self.parameters.contains(name) {
            if InsightsRequest.dimension(named: name) != nil {
                filters[name] = parameters.getAll(name)
            } else {
                unknown.append(name)
            }
        }
        if !unknown.isEmpty {
            throw APIError(
                .badRequest,
                "unknown parameter(s) \(unknown.sorted().prefix(10).map(echoed).joined(separator: ", ")); filters are named by dimension "
                    + "(\(InsightsRequest.dimensionList))")
        }

        guard let from = parameters["from"].map(String.init) else {
            throw APIError(.badRequest, "from is required, as ?from=YYYY-MM-DD (or YYYY-MM)")
        }
        let insightsRequest = InsightsRequest(
            from: from, to: parameters["to"].map(String.init),
            granularity: parameters["granularity"].map(String.init), by: parameters.getAll("by"), filters: filters)
        var query: InsightsQuery
        do {
            query = try insightsRequest.query()
        } catch {
            throw APIError(.badRequest, error.description)
        }
        switch parameters["forecast"].map(String.init) {
        case nil, "false": break
        case "true": query.forecast = true
        case let other?: throw APIError(.badRequest, "forecast must be true or false, got \(echoed(other))")
        }

        let scope = try Self.scope(parameters)
        let csv = try Self.wantsCSV(request)
        let result: InsightsResult
        do {
            result = try await store.insights(scope: scope, query: query, now: clock(), readableBy: access)
        } catch let error as LedgerStoreError {
            switch error {
            case .unknownAccount(let id): throw APIError(.notFound, "unknown account \(id)")
            case .unknownPortfolio(let name): throw APIError(.notFound, "no account is in portfolio \(name)")
            default: throw error
            }
        }
        guard csv else { return .json(result.jsonData()) }
        return Self.csvResponse(result)
    }

    static func scope(_ parameters: Parameters) throws -> InsightsScope {
        let accounts = InsightsRequest.split(parameters.getAll("account"))
        let portfolio = parameters["portfolio"].map(String.init)
        let all = parameters["all"].map { $0 == "true" || $0 == "1" || $0.isEmpty } ?? false
        switch (accounts.isEmpty, portfolio, all) {
        case (false, nil, false): return .accounts(accounts)
        case (true, let name?, false): return .portfolio(name)
        case (true, nil, true): return .all
        default:
            throw APIError(.badRequest, "give one of account=ID (repeatable), portfolio=NAME or all=true")
        }
    }

    static func wantsCSV(_ request: Request) throws -> Bool {
        switch request.uri.queryParameters["format"] {
        case "csv": return true
        case "json": return false
        case nil: return request.headers[.accept]?.contains("text/csv") ?? false
        case let other?: throw APIError(.badRequest, "format must be json or csv, got \"\(echoed(other))\"")
        }
    }

    /// The CSV, written in chunks as it is rendered, so an export by every dimension is never held
    /// as one string.
    static func csvResponse(_ result: InsightsResult) -> Response {
        let query = result.query
        let name = "wameter-insights-\(DayKeys.format(query.from))-\(DayKeys.format(query.to)).csv"
        let body = ResponseBody { writer in
            var chunk = result.csvHeader
            for row in result.rows {
                chunk += result.csvLine(row)
                if chunk.utf8.count >= 64 * 1024 {
                    try await writer.write(ByteBuffer(string: chunk))
                    chunk = ""
                }
            }
            try await writer.write(ByteBuffer(string: chunk))
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\"",
            ], body: body)
    }
}
