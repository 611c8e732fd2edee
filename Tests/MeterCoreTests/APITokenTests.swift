import Foundation
import MeterCore
import Testing

@Suite("API tokens and access scopes")
struct APITokenTests {
    static let accountA = Account(id: "A", timezone: "UTC", currency: "USD", portfolio: "P")
    static let accountC = Account(id: "C", timezone: "UTC", currency: "USD")

    @Test("a scope admits its account, its portfolio's accounts, or every account")
    func scopes() {
        #expect(AccessScope.all.admits(Self.accountA) && AccessScope.all.admits(Self.accountC))
        #expect(AccessScope.account("A").admits(Self.accountA))
        #expect(!AccessScope.account("A").admits(Self.accountC))
        #expect(AccessScope.portfolio("P").admits(Self.accountA))
        #expect(!AccessScope.portfolio("P").admits(Self.accountC))
        // An account without a portfolio is not in a portfolio named after its id.
        #expect(!AccessScope.portfolio("C").admits(Self.accountC))
        for scope in [AccessScope.all, .account("A"), .portfolio("P")] {
            #expect(AccessScope(kind: scope.kind, value: scope.value) == scope)
        }
        #expect(AccessScope(kind: "account", value: nil) == nil)
        #expect(AccessScope(kind: "group", value: "x") == nil)
    }

    @Test("secrets are 256 random bits in a recognisable shape; only their SHA-256 is kept")
    func secrets() {
        let first = APITokenSecret.generate()
        let second = APITokenSecret.generate()
        #expect(first != second)
        #expect(first.hasPrefix("wmt_") && first.count == 47)
        #expect(first.dropFirst(4).allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(APITokenSecret.isWellFormed(first))
        #expect(!APITokenSecret.isWellFormed("api-token-0123456789"))
        #expect(!APITokenSecret.isWellFormed(first + "x"))
        // FIPS 180-2's test vector.
        #expect(APITokenSecret.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(APITokenSecret.hash(first).count == 64 && APITokenSecret.hash(first) != APITokenSecret.hash(second))
    }

    @Test("names: letters, digits, '.', '_' and '-', at most 64; a default name from the scope, numbered when taken")
    func names() {
        #expect(APIToken.nameProblem("acme-finance_2.0") == nil)
        #expect(APIToken.nameProblem("") != nil)
        #expect(APIToken.nameProblem("a b") != nil)
        #expect(APIToken.nameProblem("é") != nil)
        #expect(APIToken.nameProblem(String(repeating: "a", count: 65)) != nil)
        #expect(APIToken.defaultName(for: .all, taken: []) == "all")
        #expect(APIToken.defaultName(for: .account("123"), taken: ["account-123"]) == "account-123-2")
        #expect(APIToken.defaultName(for: .account("123"), taken: ["account-123", "account-123-2"]) == "account-123-3")
        #expect(APIToken.defaultName(for: .portfolio("Acme Corp"), taken: []) == "portfolio-Acme-Corp")
        #expect(
            APIToken.nameProblem(APIToken.defaultName(for: .portfolio(String(repeating: "x", count: 200)), taken: []))
                == nil)
    }

    @Test("--expires YYYY-MM-DD: works through that day in UTC; a past day or a non-date is refused")
    func expiry() throws {
        let now = utcSeconds(2026, 12, 2, hour: 5)
        let end = try APIToken.expiry(day: "2026-12-31", now: now).get()
        #expect(end == utcSeconds(2027, 1, 1))
        let token = APIToken(name: "t", scope: .all, hash: "", createdAt: now, expiresAt: end)
        #expect(!token.isExpired(at: end - 1))
        #expect(token.isExpired(at: end))
        #expect(!APIToken(name: "t", scope: .all, hash: "", createdAt: now).isExpired(at: .max))
        // Today still works (until midnight UTC); yesterday never would.
        #expect((try? APIToken.expiry(day: "2026-12-02", now: now).get()) == utcSeconds(2026, 12, 3))
        #expect(throws: APITokenInputProblem.self) { try APIToken.expiry(day: "2026-12-01", now: now).get() }
        #expect(throws: APITokenInputProblem.self) { try APIToken.expiry(day: "2026-02-30", now: now).get() }
        #expect(throws: APITokenInputProblem.self) { try APIToken.expiry(day: "next week", now: now).get() }
    }

    @Test("a token's last use is written at most once a minute")
    func lastUse() {
        #expect(APITokenUse.isDue(lastUsedAt: nil, now: 100))
        #expect(!APITokenUse.isDue(lastUsedAt: 100, now: 159))
        #expect(APITokenUse.isDue(lastUsedAt: 100, now: 160))
    }

    private func utcSeconds(_ year: Int, _ month: Int, _ day: Int, hour: Int = 0) -> Int64 {
        BillingCalendar.utc.start(of: DayKeys.parse(String(format: "%04d-%02d-%02d", year, month, day))!)
            + Int64(hour * 3600)
    }
}
