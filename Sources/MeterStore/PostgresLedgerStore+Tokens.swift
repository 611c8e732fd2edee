import Logging
import MeterCore
import PostgresNIO

extension PostgresLedgerStore {
    static let tokenColumns = "name, token_hash, scope_kind, scope_value, created_at, expires_at, last_used_at"

    public func createToken(_ token: APIToken) async throws {
        let logger = logger
        let inserted = try await transactions.run { connection in
            var inserted = false
            for try await _ in try await connection.query(
                """
                INSERT INTO api_tokens (\(unescaped: Self.tokenColumns))
                VALUES (\(token.name), \(token.hash), \(token.scope.kind), \(token.scope.value), \(token.createdAt),
                    \(token.expiresAt), \(token.lastUsedAt))
                ON CONFLICT (name) DO NOTHING
                RETURNING name
                """, logger: logger
            ).decode(String.self) {
                inserted = true
            }
            return inserted
        }
        if !inserted { throw LedgerStoreError.tokenNameTaken(token.name) }
    }

    public func tokens() async throws -> [APIToken] {
        let logger = logger
        return try await transactions.run(.repeatableReadOnly) { connection in
            try await Self.tokens(
                connection, logger, "SELECT \(unescaped: Self.tokenColumns) FROM api_tokens ORDER BY name")
        }
    }

    public func token(hash: String) async throws -> APIToken? {
        let logger = logger
        return try await transactions.run(.repeatableReadOnly) { connection in
            try await Self.tokens(
                connection, logger, "SELECT \(unescaped: Self.tokenColumns) FROM api_tokens WHERE token_hash = \(hash)"
            ).first
        }
    }

    public func revokeToken(name: String) async throws -> Bool {
        let logger = logger
        return try await transactions.run { connection in
            var removed = false
            for try await _ in try await connection.query(
                "DELETE FROM api_tokens WHERE name = \(name) RETURNING name", logger: logger
            ).decode(String.self) {
                removed = true
            }
            return removed
        }
    }

    public func recordTokenUse(hash: String, at: Int64) async throws {
        let logger = logger
        try await transactions.run { connection in
            _ = try await connection.query(
                """
                UPDATE api_tokens SET last_used_at = greatest(coalesce(last_used_at, 0), \(at))
                WHERE token_hash = \(hash)
                """, logger: logger)
        }
    }

    /// Tokens from a query selecting `tokenColumns`; a scope this build does not know is skipped.
    private static func tokens(
        _ connection: PostgresConnection, _ logger: Logger, _ query: PostgresQuery
    ) async throws -> [APIToken] {
        var tokens: [APIToken] = []
        for try await (name, hash, kind, value, created, expires, lastUsed) in try await connection.query(
            query, logger: logger
        ).decode((String, String, String, String?, Int64, Int64?, Int64?).self) {
            guard let scope = AccessScope(kind: kind, value: value) else { continue }
            tokens.append(
                APIToken(
                    name: name, scope: scope, hash: hash, createdAt: created, expiresAt: expires, lastUsedAt: lastUsed))
        }
        return tokens
    }
}
