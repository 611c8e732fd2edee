/// Recipient number → ISO country, by longest calling-code prefix (reference §8.1, §13.13).
public enum CallingCodes {
    /// Country for numbers whose prefix is in no table (they bill as market "Other").
    public static let unlistedCountry = "ZZ"

    /// Prefix → country, keyed by the prefix's digits read as a number (calling codes never start
    /// with 0, so the number identifies the prefix): lookups need no string slicing.
    private static let prefixes: [Int: String] = {
        var map: [Int: String] = [:]
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: ",")
            map[Int(fields[0])!] = String(fields[1])
        }
        return map
    }()
    private static let longestPrefix = prefixes.keys.map { String($0).count }.max() ?? 4

    /// The ISO country of a phone number given as digits (a leading `+`, spaces or dashes are
    /// ignored), or `nil` when there are no digits at all (a group id or a business-scoped user id).
    public static func country(ofNumber number: String) -> String? {
        // The values of the number's first 1…longestPrefix digits, longest last.
        var candidates: [Int] = []
        candidates.reserveCapacity(longestPrefix)
        var value = 0
        var digits = 0
        for byte in number.utf8 {
            if byte >= 48 && byte <= 57 {
                digits += 1
                if digits <= longestPrefix {
                    value = value * 10 + Int(byte - 48)
                    candidates.append(value)
                }
            } else if byte == UInt8(ascii: "+") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")")
            {
                continue
            } else {
                return nil
            }
        }
        guard digits > 0 else { return nil }
        for candidate in candidates.reversed() {
            if let country = prefixes[candidate] { return country }
        }
        return unlistedCountry
    }
}

/// Country → market, by date. Unknown recipients (no number, no country) are market `Unknown`,
/// reported rather than hidden; listed countries not in any region are `Other`.
public struct MarketTable: Sendable {
    public static let other = "Other"
    public static let unknown = "Unknown"

    struct Span: Sendable {
        var market: String
        var from: DayKey
        var until: DayKey
    }

    /// Each country's spans, by `codeIndex` of its ISO code (the table has only `AA`…`ZZ`): a
    /// month's report asks for a market once or twice per counter row (100,000s), and indexing by
    /// the code's two bytes replaces hashing the string.
    private let spansByCode: [[Span]]

    public static let standard = MarketTable()

    init() {
        var byCode = [[Span]](repeating: [], count: 26 * 26)
        for line in Self.table.split(separator: "\n") {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let from = fields[2].isEmpty ? DayKey.min : DayKeys.parse(fields[2])!
            let until = fields[3].isEmpty ? DayKey.max : DayKeys.parse(fields[3])!
            guard let index = Self.codeIndex(fields[0]) else {
                fatalError("market table: \(fields[0]) is not an ISO code")
            }
            byCode[index].append(Span(market: fields[1], from: from, until: until))
        }
        spansByCode = byCode
    }

    /// `AA` → 0 … `ZZ` → 675; nil for anything but two capital letters.
    private static func codeIndex(_ country: String) -> Int? {
        var utf8 = country.utf8.makeIterator()
        guard let first = utf8.next(), let second = utf8.next(), utf8.next() == nil,
            (65...90).contains(first), (65...90).contains(second)
        else { return nil }
        return Int(first - 65) * 26 + Int(second - 65)
    }

    /// The market of a country on a local day; `""` (no country known) is `Unknown`.
    public func market(country: String, on day: DayKey) -> String {
        if country.isEmpty { return Self.unknown }
        // Anything but a two-letter code is in no span: `Other`, as an unlisted code is.
        for span in Self.codeIndex(country).map({ spansByCode[$0] }) ?? [] where span.from <= day && day <= span.until {
            return span.market
        }
        return Self.other
    }

    /// The markets that exist on a local day (a market made standalone later is not one yet).
    public func marketNames(on day: DayKey) -> Set<String> {
        var names: Set<String> = [Self.other, Self.unknown]
        for span in spansByCode.joined() where span.from <= day && day <= span.until { names.insert(span.market) }
        return names
    }

    /// Every market name the table knows, for validating imported rate cards.
    public var marketNames: Set<String> {
        Set(spansByCode.joined().map(\.market)).union([Self.other])
    }
}

/// The country a charged unit is rated by: its number's calling code, else the contact's country
/// (`contacts[].profile.country_code`), else `""` (unknown).
public enum RecipientCountry {
    public static func of(number: String?, countryCode: String?) -> String {
        if let number, let country = CallingCodes.country(ofNumber: number) { return country }
        if let code = countryCode, code.count == 2 { return code.uppercased() }
        return ""
    }
}
