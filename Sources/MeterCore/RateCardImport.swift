import Foundation

/// A problem in an imported rate file, with the line it is on.
public struct RateImportError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String

    public var description: String { "line \(line): \(reason)" }
}

/// Every problem found in a rate file; the import stores nothing when there is one.
public struct RateImportFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [RateImportError]

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Reads rate files. This first version knows the canonical layout
/// `effective_from,currency,market,category,rate`; an unknown header is rejected with the layouts
/// that are understood, never guessed at.
public enum RateCardImport {
    public static let canonicalHeader = ["effective_from", "currency", "market", "category", "rate"]

    /// Parses the whole file; any bad line fails the import (a half-imported card would price some
    /// markets with old rates and others with new ones). All problems are returned, not just the first.
    public static func parse(_ text: String, markets: MarketTable = .standard) throws(RateImportFailure) -> [RateEntry]
    {
        let rows = CSV.parse(text)
        guard let header = rows.first else {
            throw RateImportFailure(errors: [RateImportError(line: 1, reason: "the file is empty")])
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard names == canonicalHeader else {
            throw RateImportFailure(errors: [
                RateImportError(
                    line: header.line,
                    reason: "unrecognised header \"\(header.fields.joined(separator: ","))\"; expected "
                        + "\"\(canonicalHeader.joined(separator: ","))\"")
            ])
        }
        var entries: [RateEntry] = []
        var errors: [RateImportError] = []
        let knownMarkets = markets.marketNames
        for row in rows.dropFirst() {
            let fields = row.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == canonicalHeader.count else {
                errors.append(
                    RateImportError(line: row.line, reason: "expected 5 fields, found \(fields.count)"))
                continue
            }
            var problems: [String] = []
            let day = DayKeys.parse(fields[0])
            if day == nil { problems.append("effective_from \"\(fields[0])\" is not a date YYYY-MM-DD") }
            let currency = fields[1].uppercased()
            if currency.count != 3 || !currency.allSatisfy({ $0.isASCII && $0.isLetter }) {
                problems.append("currency \"\(fields[1])\" is not an ISO 4217 code")
            }
            if fields[2].isEmpty {
                problems.append("market is empty")
            } else if !knownMarkets.contains(fields[2]) {
                problems.append(
                    "market \"\(fields[2])\" is not a Meta market (names are as on Meta's cards, e.g. \"Rest of Africa\")"
                )
            }
            if fields[3].isEmpty { problems.append("category is empty") }
            let rate = Decimal(string: fields[4], locale: Locale(identifier: "en_US_POSIX"))
            if rate == nil || rate!.isNaN || rate! < 0 || !isPlainDecimal(fields[4]) {
                problems.append("rate \"\(fields[4])\" is not a non-negative decimal number")
            }
            if !problems.isEmpty {
                errors.append(RateImportError(line: row.line, reason: problems.joined(separator: "; ")))
                continue
            }
            entries.append(
                RateEntry(effectiveFrom: day!, currency: currency, market: fields[2], category: fields[3], rate: rate!))
        }
        if !errors.isEmpty { throw RateImportFailure(errors: errors) }
        return entries
    }

    /// `Decimal(string:)` accepts a numeric prefix ("0.5abc"); rates must be digits with one point.
    private static func isPlainDecimal(_ text: String) -> Bool {
        var seenPoint = false
        var seenDigit = false
        for char in text {
            if char == "." {
                if seenPoint { return false }
                seenPoint = true
            } else if char.isASCII && char.isNumber {
                seenDigit = true
            } else {
                return false
            }
        }
        return seenDigit
    }
}
