import Crypto
import Foundation

/// A scoped API token as it is stored: a name, what it may read, and the SHA-256 of its secret,
/// never the secret itself (`APITokenSecret`). The administrator token (`WAMETER_API_TOKEN`) is
/// not one of these: it comes from the environment and reads everything.
public struct APIToken: Sendable, Equatable {
    /// Unique; how `tokens revoke` names it.
    public var name: String
    public var scope: AccessScope
    /// Hex SHA-256 of the secret.
    public var hash: String
    /// Epoch seconds.
    public var createdAt: Int64
    /// The first epoch second at which the token no longer works; nil when it does not expire.
    public var expiresAt: Int64?
    /// Epoch seconds of the last request it made, to the minute (see `APITokenUse`); nil if never.
    public var lastUsedAt: Int64?

    public init(
        name: String, scope: AccessScope, hash: String, createdAt: Int64, expiresAt: Int64? = nil,
        lastUsedAt: Int64? = nil
    ) {
        self.name = name
        self.scope = scope
        self.hash = hash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }

    public func isExpired(at now: Int64) -> Bool {
        expiresAt.map { now >= $0 } ?? false
    }

    /// Names are typed on command lines and shown in tables: 1 to 64 letters, digits, `.`, `_`, `-`.
    public static func nameProblem(_ name: String) -> String? {
        if name.isEmpty || name.count > 64 { return "must be 1 to 64 characters" }
        let allowed = name.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
                || "._-".unicodeScalars.contains($0)
        }
        return allowed ? nil : "may hold only letters, digits, '.', '_' and '-'"
    }

    /// A name for a token created without `--name`: its scope, with a number when that is taken.
    public static func defaultName(for scope: AccessScope, taken: Set<String>) -> String {
        let safe = (scope.value ?? "").unicodeScalars.map {
            nameProblem(String($0)) == nil ? String($0) : "-"
        }.joined()
        let base = String((scope.value == nil ? "all" : "\(scope.kind)-\(safe)").prefix(56))
        if !taken.contains(base) { return base }
        var number = 2
        while taken.contains("\(base)-\(number)") { number += 1 }
        return "\(base)-\(number)"
    }

    /// `--expires YYYY-MM-DD`: the token works through that day (UTC) and stops at the next
    /// midnight UTC. A day before `now`'s is refused: the token would never work.
    public static func expiry(day text: String, now: Int64) -> Result<Int64, APITokenInputProblem> {
        guard let day = DayKeys.parse(text) else {
            return .failure(APITokenInputProblem("--expires \"\(text.prefix(40))\" is not a date (YYYY-MM-DD)"))
        }
        let end = BillingCalendar.utc.start(of: day) + 86_400
        guard end > now else {
            return .failure(APITokenInputProblem("--expires \(text) is in the past"))
        }
        return .success(end)
    }
}

public struct APITokenInputProblem: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The secret a scoped token is: `wmt_` and 43 characters of base64url, 256 random bits from the
/// system's generator, so a stolen database (which holds only hashes) cannot be turned back into
/// tokens and a guess cannot hit one. A fast hash is enough at 256 bits of entropy; a slow one
/// (bcrypt, scrypt) protects guessable passwords, which these are not, and would cost every
/// request.
public enum APITokenSecret {
    public static let prefix = "wmt_"

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        for _ in 0..<4 {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        let encoded = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return prefix + encoded
    }

    /// Hex SHA-256 of the secret, what is stored and looked up.
    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Whether a string has a scoped token's shape (so anything else is not looked up at all).
    public static func isWellFormed(_ offered: String) -> Bool {
        offered.hasPrefix(prefix) && offered.utf8.count == prefix.utf8.count + 43
    }
}

/// When a token's last use is written back: at most once a minute per token, so a script polling
/// every second writes one row a minute, not sixty.
public enum APITokenUse {
    public static let resolution: Int64 = 60

    public static func isDue(lastUsedAt: Int64?, now: Int64) -> Bool {
        guard let lastUsedAt else { return true }
        return now - lastUsedAt >= resolution
    }
}
