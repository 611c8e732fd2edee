import Foundation
import GRDB
import MeterCore
import MeterStore
import TestSupport
import Testing

/// Scoped tokens as both backends keep them: by name, looked up by hash, revocable, with their
/// last use; the secret itself is never stored.
@Suite("API token storage", .closesStores)
struct APITokenStoreTests {
    static func token(_ name: String, _ scope: AccessScope, secret: String, expiresAt: Int64? = nil) -> APIToken {
        APIToken(name: name, scope: scope, hash: APITokenSecret.hash(secret), createdAt: 1_000, expiresAt: expiresAt)
    }

    @Test("create, look up by hash, list by name, refuse a taken name, revoke", arguments: StoreBackend.all)
    func lifecycle(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let secretA = APITokenSecret.generate()
        let secretP = APITokenSecret.generate()
        let a = Self.token("zeta", .account("A"), secret: secretA)
        let p = Self.token("alpha", .portfolio("P"), secret: secretP, expiresAt: 5_000)
        try await store.createToken(a)
        try await store.createToken(p)
        try await store.createToken(Self.token("everything", .all, secret: APITokenSecret.generate()))
        #expect(try await store.tokens().map(\.name) == ["alpha", "everything", "zeta"])
        #expect(try await store.token(hash: APITokenSecret.hash(secretA)) == a)
        #expect(try await store.token(hash: APITokenSecret.hash(secretP)) == p)
        #expect(try await store.token(hash: APITokenSecret.hash("wmt_not-a-token")) == nil)
        #expect(try await store.tokens().first { $0.name == "everything" }?.scope == .all)

        await #expect(throws: LedgerStoreError.tokenNameTaken("zeta")) {
            try await store.createToken(Self.token("zeta", .all, secret: APITokenSecret.generate()))
        }
        // The refused token did not replace the stored one.
        #expect(try await store.token(hash: APITokenSecret.hash(secretA))?.scope == .account("A"))

        #expect(try await store.revokeToken(name: "zeta"))
        #expect(try await store.token(hash: APITokenSecret.hash(secretA)) == nil)
        #expect(!(try await store.revokeToken(name: "zeta")))
        #expect(try await store.tokens().map(\.name) == ["alpha", "everything"])
    }

    @Test("last use only moves forward", arguments: StoreBackend.all)
    func lastUse(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let secret = APITokenSecret.generate()
        try await store.createToken(Self.token("t", .all, secret: secret))
        let hash = APITokenSecret.hash(secret)
        #expect(try await store.token(hash: hash)?.lastUsedAt == nil)
        try await store.recordTokenUse(hash: hash, at: 2_000)
        #expect(try await store.token(hash: hash)?.lastUsedAt == 2_000)
        try await store.recordTokenUse(hash: hash, at: 1_500)
        #expect(try await store.token(hash: hash)?.lastUsedAt == 2_000)
    }

    @Test("the secret is nowhere in the database file, only its hash")
    func hashedAtRest() async throws {
        let directory = try TestFiles.directory("tokens")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ledger.sqlite").path
        let secret = APITokenSecret.generate()
        do {
            let store = try SQLiteLedgerStore(path: path)
            try await store.createToken(Self.token("t", .account("A"), secret: secret))
        }
        let queue = try DatabaseQueue(path: path)
        let stored = try await queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_tokens").flatMap { row in
                row.databaseValues.compactMap { String.fromDatabaseValue($0) }
            }
        }
        #expect(stored.contains(APITokenSecret.hash(secret)))
        #expect(!stored.contains { $0.contains(secret) || $0.contains(secret.dropFirst(4)) })
        // Nor in the file's pages (the WAL included), in case a column is not the only copy.
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            let bytes = try Data(contentsOf: directory.appendingPathComponent(file))
            #expect(bytes.range(of: Data(secret.dropFirst(4).utf8)) == nil, "\(file)")
        }
    }
}
