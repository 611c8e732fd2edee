import Foundation

/// A reconciliation as JSON (`wameter reconcile --format json`, `GET /api/v1/reconciliations`).
/// Field names may be added, never renamed. Money is a decimal string in the account's currency.
public struct ReconciliationJSON: Sendable, Equatable, Codable {
    public struct Tolerance: Sendable, Equatable, Codable {
        /// Always 0: a message is delivered or not.
        public var units: Int
        /// `1%` (of the larger figure, at least 0.01) or an amount.
        public var cost: String
    }

    public struct Side: Sendable, Equatable, Codable {
        public var units: Int
        /// `nil` when not shown (Meta hides cost from partner-billed businesses).
        public var cost: String?
        public var unrated: Int?
    }

    public struct FieldLine: Sendable, Equatable, Codable {
        public var field: String
        public var meta: Side
        public var wameter: Side
        public var costCompared: Bool
        public var dataPoints: Int
        public var pages: Int

        enum CodingKeys: String, CodingKey {
            case field, meta, wameter, pages
            case costCompared = "cost_compared"
            case dataPoints = "data_points"
        }
    }

    public struct CellSide: Sendable, Equatable, Codable {
        public var units: Int
        public var cost: String?
        public var tiers: [String]
        public var unrated: Int?
    }

    public struct Difference: Sendable, Equatable, Codable {
        public var field: String
        public var day: String
        public var phoneNumber: String
        public var country: String
        public var category: String
        public var type: String
        /// `nil`: Meta has no data point for the cell.
        public var meta: CellSide?
        /// `nil`: wameter has nothing in the cell.
        public var wameter: CellSide?
        /// Meta's units minus wameter's.
        public var unitGap: Int
        /// `units`, `cost`, `tier`.
        public var kinds: [String]
        public var cause: String
        public var explanation: String

        enum CodingKeys: String, CodingKey {
            case field, day, country, category, type, meta, wameter, kinds, cause, explanation
            case phoneNumber = "phone_number"
            case unitGap = "unit_gap"
        }
    }

    public var account: String
    public var month: String
    public var timezone: String
    public var currency: String
    /// `graph` or `file`.
    public var source: String
    public var checkedAt: Int64
    /// Nothing differs beyond the tolerance.
    public var agrees: Bool
    public var tolerance: Tolerance
    public var fields: [FieldLine]
    public var differences: [Difference]
    /// Cause → number of differing cells.
    public var causes: [String: Int]
    public var notes: [String]

    enum CodingKeys: String, CodingKey {
        case account, month, timezone, currency, source, agrees, tolerance, fields, differences, causes, notes
        case checkedAt = "checked_at"
    }

    public init(_ reconciliation: Reconciliation) {
        let r = reconciliation
        account = r.account
        month = r.month.description
        timezone = r.timezone
        currency = r.currency
        source = r.source
        checkedAt = r.checkedAt
        agrees = r.agrees
        tolerance = Tolerance(units: 0, cost: r.tolerance.description)
        fields = r.fields.map { line in
            FieldLine(
                field: line.field.rawValue, meta: Side(units: line.metaUnits, cost: line.metaCost.map(formatMoney)),
                wameter: Side(
                    units: line.wameterUnits, cost: formatMoney(line.wameterCost), unrated: line.wameterUnrated),
                costCompared: line.costCompared, dataPoints: line.points, pages: line.pages)
        }
        differences = r.drifts.map { drift in
            func side(_ figures: AnalyticsFigures?, unrated: Bool) -> CellSide? {
                figures.map {
                    CellSide(
                        units: $0.units, cost: $0.cost.map(formatMoney), tiers: $0.tiers,
                        unrated: unrated ? $0.unrated : nil)
                }
            }
            return Difference(
                field: drift.field.rawValue, day: DayKeys.format(drift.key.day), phoneNumber: drift.key.phone,
                country: drift.key.country, category: drift.key.category, type: drift.key.type,
                meta: side(drift.meta, unrated: false), wameter: side(drift.wameter, unrated: true),
                unitGap: drift.unitGap, kinds: drift.kinds.map(\.rawValue), cause: drift.cause.rawValue,
                explanation: drift.explanation)
        }
        causes = Dictionary(grouping: r.drifts, by: \.cause.rawValue).mapValues(\.count)
        notes = r.notes
    }
}
