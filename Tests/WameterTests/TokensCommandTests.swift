import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing

@Suite("wameter tokens")
struct TokensCommandTests {
    @Test("create prints the secret alone on standard output, once; list shows it without it; revoke ends it")
    func lifecycle() async throws {
        let directory = try Package.temporaryDirectory()
        let database = directory.appendingPathComponent("ledger.sqlite")
        #expect(
            try Package.run(
                ["accounts", "add", "111", "--timezone", "UTC", "--currency", "USD", "--portfolio", "acme"],
                database: database
            ).status == 0)

        let created = try Package.run(["tokens", "create", "--account", "111"], database: database)
        #expect(created.status == 0, "\(created.stderr)")
        let secret = created.stdout.trimmingCharacters(in: .newlines)
        #expect(APITokenSecret.isWellFormed(secret))
        #expect(created.stderr.contains("created token account-111 for account 111, not expiring"))
        #expect(!created.stderr.contains(secret))

        let portfolio = try Package.run(
            ["tokens", "create", "--portfolio", "acme", "--name", "acme-finance", "--expires", "2099-01-31"],
            database: database)
        #expect(portfolio.status == 0, "\(portfolio.stderr)")

        let list = try Package.run(["tokens", "list"], database: database)
        #expect(list.status == 0)
        #expect(list.stdout.contains("account-111   account 111"))
        #expect(list.stdout.contains("acme-finance  portfolio acme"))
        #expect(list.stdout.contains("through 2099-01-31"))
        #expect(!list.stdout.contains(secret) && !list.stdout.contains(APITokenSecret.hash(secret)))

        // What was printed is what the database recognises.
        let store = try SQLiteLedgerStore(path: database.path)
        #expect(try await store.token(hash: APITokenSecret.hash(secret))?.scope == .account("111"))

        // Mistakes: usage (64) versus what cannot be done (1), each with its reason.
        let usage: [([String], String)] = [
            (["tokens", "create"], "give exactly one of --account ID, --portfolio NAME or --all"),
            (["tokens", "create", "--all", "--account", "111"], "give exactly one of"),
            (["tokens", "create", "--all", "--name", "a b"], "--name may hold only"),
            (["tokens", "create", "--all", "--expires", "2001-01-01"], "--expires 2001-01-01 is in the past"),
            (["tokens", "create", "--all", "--expires", "soon"], "is not a date"),
        ]
        for (arguments, reason) in usage {
            let result = try Package.run(arguments, database: database)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderr.contains(reason), "\(arguments): \(result.stderr)")
        }
        let failures: [([String], String)] = [
            (["tokens", "create", "--account", "999"], "unknown account 999"),
            (["tokens", "create", "--portfolio", "nope"], "no account is in portfolio nope"),
            (["tokens", "create", "--all", "--name", "acme-finance"], "a token named acme-finance exists already"),
            (["tokens", "revoke", "nobody"], "no token is named nobody"),
        ]
        for (arguments, reason) in failures {
            let result = try Package.run(arguments, database: database)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.contains(reason), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("Usage:"), "\(arguments)")
        }

        // migrate carries the tokens (their hashes) to the new database.
        let copy = directory.appendingPathComponent("copy.sqlite")
        let migrated = try Package.run(["migrate", "--to", copy.path, "--quiet"], database: database)
        #expect(migrated.status == 0, "\(migrated.stderr)")
        #expect(migrated.stdout.contains("2 API token(s)"))
        let copied = try SQLiteLedgerStore(path: copy.path)
        #expect(try await copied.token(hash: APITokenSecret.hash(secret))?.name == "account-111")

        let revoked = try Package.run(["tokens", "revoke", "account-111"], database: database)
        #expect(revoked.status == 0 && revoked.stdout == "revoked token account-111\n")
        #expect(try await store.token(hash: APITokenSecret.hash(secret)) == nil)
    }
}
