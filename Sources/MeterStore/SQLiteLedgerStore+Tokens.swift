import GRDB
import MeterCore

extension SQLiteLedgerStore {
    static let tokenColumns = "name, token_hash, scope_kind, scope_value, created_at, expires_at, last_used_at"

    public func createToken(_ token: APIToken) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO api_tokens (\(Self.tokenColumns)) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (name) DO NOTHING
                    """,
                arguments: [
                    token.name, token.hash, token.scope.kind, token.scope.value, token.createdAt, token.expiresAt,
                    token.lastUsedAt,
                ])
            if db.changesCount == 0 { throw LedgerStoreError.tokenNameTaken(token.name) }
        }
    }

    public func tokens() async throws -> [APIToken] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.tokenColumns) FROM api_tokens ORDER BY name").compactMap(
                Self.token)
        }
    }

    public func token(hash: String) async throws -> APIToken? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.tokenColumns) FROM api_tokens WHERE token_hash = ?", arguments: [hash]
            )
            .flatMap(Self.token)
        }
    }

    public func revokeToken(name: String) async throws -> Bool {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM api_tokens WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    public func recordTokenUse(hash: String, at: Int64) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE api_tokens SET last_used_at = max(coalesce(last_used_at, 0), ?) WHERE token_hash = ?",
                arguments: [at, hash])
        }
    }

    /// A stored token; nil for a scope this build does not know (never readable, not an error).
    private static func token(_ row: Row) -> APIToken? {
        guard let scope = AccessScope(kind: row["scope_kind"], value: row["scope_value"]) else { return nil }
        return APIToken(
            name: row["name"], scope: scope, hash: row["token_hash"], createdAt: row["created_at"],
            expiresAt: row["expires_at"], lastUsedAt: row["last_used_at"])
    }
}
