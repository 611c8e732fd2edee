import Foundation
import WhatsAppWebhook

/// The quirks of Meta's published rate-card CSVs (reference §8.3): title and note rows above the
/// header, header cells with line breaks in them, currency labels such as `$US`, `n/a` for "no
/// rate", and the effective date only in the title ("Cost per message in INR …, effective October 1,
/// 2026").
enum MetaRateCardLayout {
    /// The header row: `Market,Currency,…` followed by at least one per-message rate column.
    static func isHeader(_ row: CSV.Row) -> Bool {
        guard row.fields.count >= 3 else { return false }
        return letters(row.fields[0]) == "market" && letters(row.fields[1]) == "currency"
            && row.fields.dropFirst(2).contains { category(ofHeader: $0) != nil }
    }

    /// The rate category a header cell names, or `nil` for columns that are not per-message rates
    /// (e.g. "Meta Business Agent", priced per token).
    static func category(ofHeader cell: String) -> String? {
        switch letters(cell) {
        case "marketing": PricingCategory.marketing
        case "utility": PricingCategory.utility
        case "authentication": PricingCategory.authentication
        case "authenticationinternational": PricingCategory.authenticationInternational
        case "service": PricingCategory.service
        default: nil
        }
    }

    /// Cells that mean "no rate in this market".
    static func isNotApplicable(_ cell: String) -> Bool {
        ["", "n/a", "na", "-", "–", "—"].contains(cell.lowercased())
    }

    /// Labels seen on Meta's cards and the ISO code they stand for; an ISO code stands for itself.
    /// A bare `$` is not here: it is ambiguous, so the title's currency decides.
    private static let labels: [String: String] = [
        "$US": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "₹": "INR", "RS": "INR", "RP": "IDR", "R$": "BRL",
        "$AU": "AUD", "AU$": "AUD", "A$": "AUD", "$MX": "MXN", "MX$": "MXN", "RM": "MYR", "S$": "SGD", "SG$": "SGD",
        "$SG": "SGD", "S/": "PEN", "S/.": "PEN", "$AR": "ARS", "AR$": "ARS", "$CL": "CLP", "CL$": "CLP",
        "$CO": "COP", "CO$": "COP", "COL$": "COP", "AED": "AED", "SAR": "SAR", "﷼": "SAR",
    ]

    static func currency(ofLabel label: String) -> String? {
        let trimmed = label.trimmingCharacters(in: .whitespaces).uppercased()
        if let code = labels[trimmed] { return code }
        if trimmed.count == 3, trimmed.allSatisfy({ $0.isASCII && $0.isLetter }) { return trimmed }
        return nil
    }

    /// The currency a title names ("Cost per conversation in USD, …"), if it names one.
    static func currency(inTitle title: String) -> String? {
        let words = title.split(whereSeparator: { !$0.isLetter }).map(String.init)
        for (word, next) in zip(words, words.dropFirst()) where word.lowercased() == "in" {
            if next.count == 3, next.allSatisfy({ $0.isASCII && $0.isUppercase }) { return next }
        }
        return nil
    }

    private static let monthNames = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december",
    ]

    /// The day after the word "effective" in a title: "October 1, 2026", "1 October 2026" or
    /// "2026-10-01".
    static func effectiveDay(inTitle title: String) -> DayKey? {
        guard let range = title.range(of: "effective", options: .caseInsensitive) else { return nil }
        let rest = title[range.upperBound...]
        let words = rest.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "." }).prefix(4).map(String.init)
        if let iso = words.first.flatMap(DayKeys.parse) { return iso }
        var month: Int?
        var numbers: [Int] = []
        for word in words {
            if let index = monthNames.firstIndex(of: word.lowercased()) {
                month = index + 1
            } else if let number = Int(word.filter(\.isNumber)), word.first?.isNumber == true {
                numbers.append(number)
            }
        }
        guard let month, numbers.count >= 2 else { return nil }
        let (day, year) = numbers[0] > 31 ? (numbers[1], numbers[0]) : (numbers[0], numbers[1])
        return DayKeys.parse(String(format: "%04d-%02d-%02d", year, month, day))
    }

    /// A header cell on one line with single spaces ("Authentication-\nInternational").
    static func flatten(_ cell: String) -> String {
        cell.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    private static func letters(_ cell: String) -> String {
        String(cell.lowercased().filter { $0.isLetter })
    }
}
