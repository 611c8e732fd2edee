import Foundation
import GRDB
import GRDBSQLite

/// Values bound to a prepared statement's parameters, in order, through SQLite's C API.
struct SQLiteBindings {
    fileprivate let handle: OpaquePointer
    fileprivate var index: Int32 = 0

    /// SQLite copies the bytes (`SQLITE_TRANSIENT`), so a temporary string may be bound.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    mutating func bind(_ value: Int64) {
        index += 1
        sqlite3_bind_int64(handle, index, value)
    }

    mutating func bindNull() {
        index += 1
        sqlite3_bind_null(handle, index)
    }

    /// Several values, in order (`nil` binds NULL, `Bool` 0 or 1, as GRDB stores them).
    mutating func bind<each Value: SQLiteBindable>(_ values: repeat each Value) {
        repeat (each values).bind(to: &self)
    }

    /// Bytes as a blob (copied by SQLite, as text is); no bytes are an empty blob, not NULL.
    mutating func bind(_ value: Data) {
        index += 1
        value.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress, bytes.count > 0 {
                _ = sqlite3_bind_blob(handle, index, base, Int32(bytes.count), Self.transient)
            } else {
                _ = sqlite3_bind_zeroblob(handle, index, 0)
            }
        }
    }

    mutating func bind(_ value: String) {
        index += 1
        var value = value
        value.withUTF8 { bytes in
            if let base = bytes.baseAddress {
                base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    _ = sqlite3_bind_text(handle, index, $0, Int32(bytes.count), Self.transient)
                }
            } else {
                // Empty text, not NULL: the columns are NOT NULL and "" means "unknown".
                _ = sqlite3_bind_text(handle, index, "", 0, Self.transient)
            }
        }
    }
}

/// A value `SQLiteBindings` can bind.
protocol SQLiteBindable {
    func bind(to bindings: inout SQLiteBindings)
}

extension Int64: SQLiteBindable {
    func bind(to bindings: inout SQLiteBindings) { bindings.bind(self) }
}

extension Int: SQLiteBindable {
    func bind(to bindings: inout SQLiteBindings) { bindings.bind(Int64(self)) }
}

extension Bool: SQLiteBindable {
    func bind(to bindings: inout SQLiteBindings) { bindings.bind(Int64(self ? 1 : 0)) }
}

extension String: SQLiteBindable {
    func bind(to bindings: inout SQLiteBindings) { bindings.bind(self) }
}

extension Optional: SQLiteBindable where Wrapped: SQLiteBindable {
    func bind(to bindings: inout SQLiteBindings) {
        if let self { self.bind(to: &bindings) } else { bindings.bindNull() }
    }
}

extension Statement {
    /// Runs a statement that returns no rows with values bound directly: the counter upserts run
    /// once per changed counter cell, tens of thousands of times per batch, and GRDB's
    /// `StatementArguments` box every value (an array of existentials, a dynamic cast each), which
    /// the profile showed as a third of the upserts' time. Only for statements in the writer's own
    /// transaction that no transaction observer watches (wameter registers none).
    func executeBound(in db: Database, _ bind: (inout SQLiteBindings) -> Void) throws {
        let handle = sqliteStatement
        sqlite3_reset(handle)
        var bindings = SQLiteBindings(handle: handle)
        bind(&bindings)
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code),
                message: db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) }, sql: sql)
        }
    }
}
