import Foundation
import NIOCore
import PostgresNIO

/// Rows bound as one array per column, for `INSERT … SELECT * FROM unnest($1::text[], …)`.
///
/// A `VALUES` list with a parameter per cell is a statement of rows × columns parameters whose text
/// changes with every batch size: PostgreSQL parses, analyses and plans all of it each time (about
/// a quarter of its CPU in a bulk ingest), and the protocol's 65,535-parameter limit splits it.
/// With arrays the statement is as short as the column list, the same for any number of rows, and
/// has no limit. PostgresNIO's own arrays cannot hold `NULL`, so the binary array format is written
/// here: per element its length (-1 for `NULL`) and bytes, as PostgreSQL's `array_recv` reads it.
///
/// A table's bind function appends each row's values in column order; the Swift type of each
/// `append` overload gives the column's type, `NULL`s included.
struct PostgresColumnArrays {
    enum ElementType: Equatable {
        case text, int8, bool, bytea

        var sqlName: String {
            switch self {
            case .text: "text"
            case .int8: "int8"
            case .bool: "bool"
            case .bytea: "bytea"
            }
        }
    }

    private var columns: [Column]
    private var column = 0
    /// Complete rows appended.
    private(set) var rows = 0

    init(columns: Int) {
        self.columns = Array(repeating: Column(), count: columns)
    }

    mutating func append(_ value: String?) {
        if let value {
            append(.text) { $0.writeString(value) }
        } else {
            appendNull(.text)
        }
    }

    mutating func append(_ value: Int64?) {
        if let value {
            append(.int8) { $0.writeInteger(value) }
        } else {
            appendNull(.int8)
        }
    }

    mutating func append(_ value: Bool?) {
        if let value {
            append(.bool) { $0.writeInteger(UInt8(value ? 1 : 0)) }
        } else {
            appendNull(.bool)
        }
    }

    mutating func append(bytes: Data) {
        append(.bytea) { $0.writeBytes(bytes) }
    }

    /// `$1::type[], $2::type[], …`: the arrays as `unnest`'s arguments. A column's type is known
    /// from its first value, so there must be a row (callers skip empty batches).
    func unnestArguments() -> String {
        precondition(rows > 0, "an empty batch has no statement")
        return columns.enumerated().map { "$\($0.offset + 1)::\($0.element.type!.sqlName)[]" }
            .joined(separator: ", ")
    }

    /// `SELECT * FROM unnest(…)` over the arrays.
    func select() -> String { "SELECT * FROM unnest(\(unnestArguments()))" }

    /// `HEAD SELECT * FROM unnest(…) TAIL` for the rows, bound by `bind` in column order; none for
    /// no rows. `head` names the table and columns (`INSERT INTO t (a, b)`), `tail` what follows
    /// (`ON CONFLICT …`). The rows go in the order given.
    static func insert<Row>(
        _ head: String, columns: Int, rows: some Sequence<Row>, tail: String = "",
        bind: (Row, inout PostgresColumnArrays) -> Void
    ) -> PostgresQuery? {
        var arrays = PostgresColumnArrays(columns: columns)
        for row in rows { bind(row, &arrays) }
        guard arrays.rows > 0 else { return nil }
        return PostgresQuery(unsafeSQL: "\(head) \(arrays.select()) \(tail)", binds: arrays.bindings)
    }

    /// The arrays, in column order, as the statement's parameters.
    var bindings: PostgresBindings {
        var bindings = PostgresBindings(capacity: columns.count)
        append(to: &bindings)
        return bindings
    }

    /// Appends the arrays, in column order, to a statement's parameters (for a statement that
    /// unnests several sets of arrays: each numbers its parameters after the previous one's).
    func append(to bindings: inout PostgresBindings) {
        precondition(column == 0 && rows > 0, "an empty batch, or a row left incomplete")
        for column in columns { bindings.append(EncodedArray(column: column, count: rows)) }
    }

    private mutating func append(_ type: ElementType, _ write: (inout ByteBuffer) -> Int) {
        columns[column].check(type)
        let lengthAt = columns[column].elements.writerIndex
        columns[column].elements.writeInteger(Int32(0))
        let length = write(&columns[column].elements)
        columns[column].elements.setInteger(Int32(length), at: lengthAt)
        advance()
    }

    private mutating func appendNull(_ type: ElementType) {
        columns[column].check(type)
        columns[column].elements.writeInteger(Int32(-1))
        columns[column].hasNull = true
        advance()
    }

    private mutating func advance() {
        column += 1
        if column == columns.count {
            column = 0
            rows += 1
        }
    }

    private struct Column {
        var type: ElementType?
        var hasNull = false
        var elements = ByteBuffer()

        mutating func check(_ type: ElementType) {
            if let known = self.type {
                precondition(known == type, "a column's values are of one type")
            } else {
                self.type = type
            }
        }
    }

    /// One column as a PostgreSQL array in binary format (of at least one element).
    private struct EncodedArray: PostgresDynamicTypeEncodable {
        var column: Column
        var count: Int

        var psqlType: PostgresDataType {
            switch column.type! {
            case .text: .textArray
            case .int8: .int8Array
            case .bool: .boolArray
            case .bytea: .byteaArray
            }
        }

        var psqlFormat: PostgresFormat { .binary }

        func encode<JSONEncoder: PostgresJSONEncoder>(
            into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
        ) {
            let element: PostgresDataType =
                switch column.type! {
                case .text: .text
                case .int8: .int8
                case .bool: .bool
                case .bytea: .bytea
                }
            // One dimension, whether any element is NULL, the element type, the dimension's length
            // and lower bound, then the elements.
            buffer.writeInteger(Int32(1))
            buffer.writeInteger(Int32(column.hasNull ? 1 : 0))
            buffer.writeInteger(element.rawValue)
            buffer.writeInteger(Int32(count))
            buffer.writeInteger(Int32(1))
            var elements = column.elements
            buffer.writeBuffer(&elements)
        }
    }
}
