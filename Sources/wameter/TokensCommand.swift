import ArgumentParser
import Foundation
import MeterCore
import MeterStore
import WhatsAppWebhook

struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Create, list and revoke API tokens scoped to accounts.",
        discussion: """
            A scoped token reads only its accounts through the HTTP API, the Meta-shaped analytics route and \
            the dashboard; other accounts answer 404 as if they did not exist. Only a hash of each token is \
            stored. WAMETER_API_TOKEN stays the administrator token, which reads every account.
            """,
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it, once.",
            discussion: "Give exactly one of --account, --portfolio or --all.")

        @OptionGroup var options: DatabaseOptions
        @Option(help: "The one account the token reads.") var account: String?
        @Option(help: "The business portfolio whose accounts the token reads (as set by `accounts add --portfolio`).")
        var portfolio: String?
        @Flag(help: "The token reads every account.") var all = false
        @Option(help: "A name for the token, to list and revoke it by. Default: its scope, e.g. account-123.")
        var name: String?
        @Option(help: "The last day (UTC) the token works, YYYY-MM-DD. Default: it does not expire.")
        var expires: String?

        var scope: AccessScope? {
            switch (account, portfolio, all) {
            case (let id?, nil, false): .account(id)
            case (nil, let name?, false): .portfolio(name)
            case (nil, nil, true): .all
            default: nil
            }
        }

        func validate() throws {
            var problems: [String] = []
            if scope == nil { problems.append("give exactly one of --account ID, --portfolio NAME or --all") }
            if let account, let problem = InputRules.accountIdProblem(account) {
                problems.append("account id \"\(account)\" \(problem)")
            }
            if let portfolio, portfolio.isEmpty { problems.append("--portfolio is empty") }
            if let name, let problem = APIToken.nameProblem(name) { problems.append("--name \(problem)") }
            if let expires, case .failure(let problem) = APIToken.expiry(day: expires, now: Self.now()) {
                problems.append(problem.description)
            }
            if !problems.isEmpty { throw ValidationError(problems.joined(separator: "\n")) }
        }

        func run() async throws {
            guard let scope else { return }
            let now = Self.now()
            let expiresAt = try expires.map { try APIToken.expiry(day: $0, now: now).get() }
            let secret = APITokenSecret.generate()
            let token = try await options.withStore { store -> APIToken in
                // A token for an account or portfolio that is not there yet would read nothing: most
                // likely a typo, so it is refused (add the account first).
                let accounts = try await store.accounts()
                if case .account(let id) = scope, !accounts.contains(where: { $0.id == id }) {
                    throw CommandFailure(LedgerStoreError.unknownAccount(id).description)
                }
                if case .portfolio(let name) = scope, !accounts.contains(where: { $0.portfolio == name }) {
                    throw CommandFailure(LedgerStoreError.unknownPortfolio(name).description)
                }
                let taken = Set(try await store.tokens().map(\.name))
                let token = APIToken(
                    name: name ?? APIToken.defaultName(for: scope, taken: taken), scope: scope,
                    hash: APITokenSecret.hash(secret), createdAt: now, expiresAt: expiresAt)
                do {
                    try await store.createToken(token)
                } catch let error as LedgerStoreError {
                    throw CommandFailure(error.description)
                }
                return token
            }
            // The secret goes to standard output alone, so `$(wameter tokens create …)` captures it;
            // what it is goes to standard error.
            printError(
                "created token \(token.name) for \(scope)"
                    + (expires.map { ", working through \($0) (UTC)" } ?? ", not expiring")
                    + ". It is shown once: only its hash is stored.")
            print(secret)
        }

        static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")
        @OptionGroup var options: DatabaseOptions

        func run() async throws {
            let tokens = try await options.withStore(existing: true) { try await $0.tokens() }
            if tokens.isEmpty {
                print("no tokens (create one with `wameter tokens create --account ID`)")
                return
            }
            let now = Create.now()
            let rows = tokens.map { token in
                [
                    token.name, token.scope.description, Self.time(token.createdAt),
                    token.lastUsedAt.map(Self.time) ?? "never",
                    token.expiresAt.map { Self.lastDay($0) + (token.isExpired(at: now) ? " (expired)" : "") }
                        ?? "never",
                ]
            }
            print(
                TextTable.render(header: ["name", "scope", "created", "last used", "expires (UTC)"], rows: rows),
                terminator: "")
        }

        /// The last day a token works, as `--expires` took it: `through 2027-01-31`.
        static func lastDay(_ expiresAt: Int64) -> String {
            "through " + DayKeys.format(BillingCalendar.utc.day(of: expiresAt - 1))
        }

        /// `2026-12-02 05:30 UTC`.
        static func time(_ epoch: Int64) -> String {
            let day = BillingCalendar.utc.day(of: epoch)
            let minutes = (epoch - BillingCalendar.utc.start(of: day)) / 60
            return DayKeys.format(day) + String(format: " %02d:%02d UTC", Int(minutes / 60), Int(minutes % 60))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token: it stops working at once (dashboard sessions within seconds).")
        @OptionGroup var options: DatabaseOptions
        @Argument(help: "The token's name, as `tokens list` shows it.") var name: String

        func run() async throws {
            guard try await options.withStore(existing: true, { try await $0.revokeToken(name: name) }) else {
                throw CommandFailure("no token is named \(name) (see `wameter tokens list`)")
            }
            print("revoked token \(name)")
        }
    }
}
