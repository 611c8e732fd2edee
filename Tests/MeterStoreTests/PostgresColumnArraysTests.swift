import Foundation
import PostgresNIO
import TestSupport
import Testing

@testable import MeterStore

/// Rows bound as one array per column (the bulk statements' parameters) come back from PostgreSQL
/// exactly as bound.
@Suite("PostgreSQL column arrays", .enabled(if: StoreBackend.postgresURL != nil))
struct PostgresColumnArraysTests {
    struct Row: Equatable {
        var text: String?
        var number: Int64?
        var flag: Bool?
        var bytes: Data
    }

    /// Binds the rows, unnests them in the server and decodes what comes back, in order.
    func roundTrip(_ rows: [Row]) async throws -> [Row] {
        var arrays = PostgresColumnArrays(columns: 4)
        for row in rows {
            arrays.append(row.text)
            arrays.append(row.number)
            arrays.append(row.flag)
            arrays.append(bytes: row.bytes)
        }
        #expect(arrays.rows == rows.count)
        #expect(arrays.unnestArguments() == "$1::text[], $2::int8[], $3::bool[], $4::bytea[]")
        return try await StoreBackend.withClient(try StoreBackend.freshSchemaSettings()) { client in
            var back: [Row] = []
            let query = PostgresQuery(unsafeSQL: arrays.select(), binds: arrays.bindings)
            for try await (text, number, flag, bytes) in try await client.query(query).decode(
                (String?, Int64?, Bool?, ByteBuffer).self)
            {
                back.append(Row(text: text, number: number, flag: flag, bytes: Data(buffer: bytes)))
            }
            return back
        }
    }

    @Test("NULLs, empty and non-ASCII text, extreme integers and arbitrary bytes survive, in order")
    func values() async throws {
        let rows = [
            Row(text: "wamid.HBgL", number: 1_772_000_000, flag: true, bytes: Data("{\"a\":1}".utf8)),
            Row(text: nil, number: nil, flag: nil, bytes: Data()),
            Row(text: "", number: Int64.min, flag: false, bytes: Data([0, 255, 0, 10])),
            Row(text: "São Paulo ✓ 🇧🇷", number: Int64.max, flag: nil, bytes: Data(repeating: 0x41, count: 5000)),
        ]
        #expect(try await roundTrip(rows) == rows)
    }

    @Test("a column of NULLs only keeps the type of its values (from the Swift type bound)")
    func onlyNulls() async throws {
        let rows = [
            Row(text: nil, number: nil, flag: nil, bytes: Data()),
            Row(text: nil, number: nil, flag: nil, bytes: Data()),
        ]
        #expect(try await roundTrip(rows) == rows)
    }

    @Test("more rows than the 65,535 parameters a VALUES list could take fit one statement")
    func manyRows() async throws {
        let many = (0..<70_000).map { Row(text: "m\($0)", number: Int64($0), flag: $0 % 2 == 0, bytes: Data([1])) }
        #expect(try await roundTrip(many) == many)
    }
}
