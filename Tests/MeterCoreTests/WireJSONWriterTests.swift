import Foundation
import Testing

@testable import MeterCore

/// The insights JSON written directly (`InsightsJSON.data()`, `WireJSONWriter`) is `JSONEncoder`'s
/// with the wire settings, byte for byte, whatever the values: scripts compare answers as text.
@Suite("JSON written without Codable")
struct WireJSONWriterTests {
    static func figures(
        period: String?, dimensions: [String: String], calls: Bool, undelivered: Bool
    )
        -> InsightsJSON.Figures
    {
        InsightsJSON.Figures(
            period: period, currency: "USD", dimensions: dimensions,
            messages: InsightsJSON.Messages(
                sent: 12, delivered: 10, read: 7, failed: 1, received: 3, charged: 8, free: 2,
                pending: undelivered ? 4 : nil, dropped: undelivered ? 0 : nil, appSent: 0, agentSent: 5),
            conversations: InsightsJSON.Conversations(
                delivered: 2, charged: 1, free: 1, pending: undelivered ? 1 : nil, dropped: undelivered ? 2 : nil),
            cost: "0.0123", unrated: 1,
            calls: calls
                ? InsightsJSON.Calls(
                    count: 3, answered: 2, charged: 1, billedMinutes: "2", cost: "0.01", averageDuration: "61.5")
                : nil)
    }

    static func answer(rows: [InsightsJSON.Figures], totals: [InsightsJSON.Figures]) -> InsightsJSON {
        let query = InsightsQuery(from: DayKeys.parse("2026-02-01")!, to: DayKeys.parse("2026-02-28")!)
        var json = InsightsJSON(
            InsightsResult(query: query, accounts: [], totals: [], rows: [], displayNumbers: [:]))
        json.rows = rows
        json.totals = totals
        return json
    }

    @Test("strings that need escaping, and every byte below 0x20, are escaped as JSONEncoder escapes them")
    func escaping() {
        let odd = "\"quoted\" back\\slash /slash\n\r\t\u{8}\u{c}\u{1}\u{1f} é 😀 \u{7f} \u{2028}"
        let control = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self)
        var json = Self.answer(
            rows: [
                Self.figures(
                    period: odd, dimensions: ["country": control, "phone_number_id": odd, "category": ""],
                    calls: true, undelivered: false)
            ], totals: [])
        json.accounts = [odd, "Asia/Kolkata"]
        json.filters = ["country": [odd, "IN"], "category": []]
        #expect(json.data() == WireJSON.encode(json))
        #expect(String(decoding: json.data(), as: UTF8.self).contains(#""Asia/Kolkata""#))
    }

    @Test("empty lists and objects, absent optionals, times, and rows of every shape")
    func shapes() {
        var empty = Self.answer(rows: [], totals: [])
        empty.dimensions = []
        empty.filters = [:]
        #expect(empty.data() == WireJSON.encode(empty))

        var full = Self.answer(
            rows: [
                Self.figures(period: "2026-02-01", dimensions: [:], calls: false, undelivered: false),
                Self.figures(
                    period: "2026-02-02T10:30+05:30",
                    dimensions: [
                        "account": "A", "phone_number_id": "106", "display_phone_number": "+91 98", "country": "IN",
                        "market": "India", "category": "utility", "pricing_type": "regular",
                        "direction": "business_initiated", "kind": "message", "tier": "1:250000",
                    ], calls: true, undelivered: false),
            ],
            totals: [
                Self.figures(period: nil, dimensions: [:], calls: true, undelivered: true),
                Self.figures(period: nil, dimensions: [:], calls: false, undelivered: false),
            ])
        full.start = 1_769_904_000
        full.end = 1_769_990_400
        full.dimensions = ["account", "phone", "country"]
        full.accounts = ["A", "B"]
        #expect(full.data() == WireJSON.encode(full))
    }

    @Test("Graph API answers: nested objects and arrays, 64-bit times, exact decimals, errors")
    func graphAnswers() {
        let costs = ["0", "4.6", "-0.0125", "0.000001", "1234567890.123456789", "99999999999999999999.5"]
        var points: [GraphJSON] = []
        for (index, cost) in costs.enumerated() {
            points.append(
                .object([
                    "start": .integer64(1_769_904_000 + Int64(index) * 86_400),
                    "end": .integer64(1_769_990_400 + Int64(index) * 86_400),
                    "cost": .decimal(Decimal(string: cost)!), "volume": .integer(index * 1_000),
                    "phone_number": .string("+91 98765 4321\(index)"), "tier": .string("0:750000"),
                    "country": .string(index.isMultiple(of: 2) ? "IN" : "\"odd\"\n/"),
                ]))
        }
        let answer = GraphJSON.object([
            "id": .string("100000000000001"),
            "pricing_analytics": .object(["data": .array([.object(["data_points": .array(points)])])]),
            "analytics": .object([
                "phone_numbers": .array([]), "country_codes": .array([.string("IN")]),
                "granularity": .string("DAY"), "data_points": .array([.object([:])]),
            ]),
        ])
        #expect(answer.data() == WireJSON.encode(answer))
        let error = GraphJSON.object([
            "error": .object([
                "message": .string("(#100) Invalid parameter"), "type": .string("OAuthException"),
                "code": .integer(100),
            ])
        ])
        #expect(error.data() == WireJSON.encode(error))
        #expect(GraphJSON.array([]).data() == WireJSON.encode(GraphJSON.array([])))
    }
}
