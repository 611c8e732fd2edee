import Foundation

/// How a person may write an account's time zone and currency (`accounts add`), and the one form
/// wameter stores. Lenient where the meaning is certain (case), strict where it is not: time zone
/// abbreviations and bare offsets (`IST`, `EST`, `GMT+5`) name different places or have no
/// daylight-saving rules, and a billing month in the wrong zone moves money between months.
public enum AccountInput {
    /// The IANA zone `text` names, spelled as IANA spells it, or why it is refused.
    public static func timezone(_ text: String) -> Result<String, AccountInputProblem> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let refused = AccountInputProblem(
            "unknown time zone \"\(text)\": use an IANA name such as Asia/Kolkata or America/Sao_Paulo "
                + "(abbreviations and offsets such as IST, EST or GMT+5 are ambiguous)")
        func acceptable(_ identifier: String) -> Bool { identifier == "UTC" || identifier.contains("/") }
        if acceptable(trimmed), let zone = TimeZone(identifier: trimmed), acceptable(zone.identifier) {
            return .success(zone.identifier)
        }
        // Another case: IANA's usual capitalisation (asia/kolkata → Asia/Kolkata), else a name in
        // Foundation's list that differs only in case (america/port-au-prince → America/Port-au-Prince).
        let titled = titleCased(trimmed)
        if acceptable(titled), let zone = TimeZone(identifier: titled), acceptable(zone.identifier) {
            return .success(zone.identifier)
        }
        let lowered = trimmed.lowercased()
        if let match = TimeZone.knownTimeZoneIdentifiers.first(where: { $0.lowercased() == lowered }),
            acceptable(match), TimeZone(identifier: match) != nil
        {
            return .success(match)
        }
        if lowered == "utc" { return .success("UTC") }
        return .failure(refused)
    }

    /// The ISO 4217 code `text` names, upper-cased, or why it is refused.
    public static func currency(_ text: String) -> Result<String, AccountInputProblem> {
        let code = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isLetter }), isoCurrencies.contains(code) else {
            return .failure(AccountInputProblem("currency \"\(text)\" is not an ISO 4217 code such as USD, EUR or INR"))
        }
        return .success(code)
    }

    /// Each word upper-case first, the rest lower-case; words end at `/`, `_` and `-`.
    private static func titleCased(_ text: String) -> String {
        var result = ""
        var startOfWord = true
        for character in text {
            result += startOfWord ? character.uppercased() : character.lowercased()
            startOfWord = character == "/" || character == "_" || character == "-"
        }
        return result
    }

    /// The codes Foundation's ISO 4217 table lists.
    private static let isoCurrencies = Set(Locale.commonISOCurrencyCodes.map { $0.uppercased() })
}

public struct AccountInputProblem: Error, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
