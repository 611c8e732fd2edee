import Foundation
import WhatsAppWebhook

/// A problem in an imported rate file, with the line it is on.
public struct RateImportError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "line \(line): \(reason)" }
}

/// Every problem found in a rate file; the import stores nothing when there is one.
public struct RateImportFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [RateImportError]

    public init(errors: [RateImportError]) { self.errors = errors }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// What a rate file held, and how it was read.
public struct ImportedRateCard: Sendable, Equatable {
    public enum Layout: String, Sendable {
        case canonicalRates = "canonical rate CSV"
        case canonicalTiers = "canonical tier CSV"
        case callingRates = "calling rate CSV"
        case callingTiers = "calling tier CSV"
        case meta = "Meta's published rate card"
    }

    public var layout: Layout
    public var rates: [RateEntry]
    public var tiers: [TierEntry]
    /// Things worth telling the user that are not errors (ignored columns, where the date came from).
    public var notes: [String]
}

/// Reads rate files, recognising the layout by its header: the canonical rate CSV, the canonical
/// tier CSV, or Meta's published card (reference §8.3). An unknown layout is rejected with the
/// layouts that are understood, never guessed at.
public enum RateCardImport {
    public static let canonicalHeader = ["effective_from", "currency", "market", "category", "rate"]
    /// Business-initiated calling: list rates per minute, and tiers by minutes in the month.
    public static let callingHeader = ["effective_from", "currency", "market", "rate_per_minute"]
    public static let callingTierHeader = [
        "effective_from", "currency", "market", "minutes_from", "minutes_to", "rate_per_minute",
    ]
    public static let tierHeader = [
        "effective_from", "currency", "market", "category", "volume_from", "volume_to", "rate",
    ]
    /// The categories a card prices (the charged unit's category after `RateCard`'s mapping of
    /// Marketing Messages API and group messages): a typo such as `marketting` must not leave real
    /// messages unrated.
    public static let cardCategories = [
        PricingCategory.marketing, PricingCategory.utility, PricingCategory.authentication,
        PricingCategory.authenticationInternational, PricingCategory.service, PricingCategory.businessInitiated,
        PricingCategory.userInitiated,
    ]
    /// Volume tiers exist for these categories only (reference §7.4, §7.5).
    public static let tieredCategories = Set(TierPoolKey.tieredCategories.map(\.category))

    /// Parses the whole file; any bad line fails the import (a half-imported card would price some
    /// markets with old rates and others with new ones). All problems are returned, not just the first.
    ///
    /// - Parameter effective: the first day of a Meta-layout card, when its title has no date (or to
    ///   override it); the canonical layouts carry a date on every row and ignore it.
    public static func parse(
        _ text: String, effective: DayKey? = nil, markets: MarketTable = .standard
    ) throws(RateImportFailure) -> ImportedRateCard {
        // Excel's "CSV UTF-8" starts the file with a byte-order mark.
        let rows = CSV.parse(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        guard let first = rows.first else {
            throw RateImportFailure(errors: [RateImportError(line: 1, reason: "the file is empty")])
        }
        let names = first.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var reader = RowReader(knownMarkets: markets.marketNames)
        let card: ImportedRateCard
        if names == canonicalHeader {
            card = ImportedRateCard(
                layout: .canonicalRates, rates: reader.canonicalRates(rows.dropFirst()), tiers: [], notes: [])
        } else if names == tierHeader {
            card = ImportedRateCard(
                layout: .canonicalTiers, rates: [], tiers: reader.canonicalTiers(rows.dropFirst()), notes: [])
        } else if names == callingHeader {
            card = ImportedRateCard(
                layout: .callingRates, rates: reader.callingRates(rows.dropFirst()), tiers: [], notes: [])
        } else if names == callingTierHeader {
            // The tier reader with the calling category put in: one validation for both.
            var rows = Array(rows.dropFirst())
            for row in rows where row.fields.count != callingTierHeader.count {
                reader.errors.append(
                    RateImportError(
                        line: row.line, reason: "expected \(callingTierHeader.count) fields, found \(row.fields.count)")
                )
            }
            rows = rows.filter { $0.fields.count == callingTierHeader.count }.map { row in
                var fields = row.fields
                fields.insert(RateCardEdition.callingCategory, at: 3)
                return CSV.Row(line: row.line, fields: fields)
            }
            let tiers = reader.canonicalTiers(rows[...], unit: "minutes")
            card = ImportedRateCard(layout: .callingTiers, rates: [], tiers: tiers, notes: [])
        } else if let headerIndex = rows.firstIndex(where: MetaRateCardLayout.isHeader) {
            card = reader.metaCard(rows, headerIndex: headerIndex, effective: effective)
        } else {
            throw RateImportFailure(errors: [
                RateImportError(
                    line: first.line,
                    reason: "unrecognised layout: expected a header \"\(canonicalHeader.joined(separator: ","))\", "
                        + "\"\(tierHeader.joined(separator: ","))\", \"\(callingHeader.joined(separator: ","))\", "
                        + "\"\(callingTierHeader.joined(separator: ","))\", or Meta's card header "
                        + "\"Market,Currency,Marketing,Utility,Authentication,Authentication-International[,Service]\"")
            ])
        }
        if !reader.errors.isEmpty { throw RateImportFailure(errors: reader.errors) }
        return card
    }

    /// Validates field by field, collecting every problem with its line.
    struct RowReader {
        let knownMarkets: Set<String>
        var errors: [RateImportError] = []
        /// Each key read so far and its line: a key twice in one file is an error (which would win?).
        private var seen: [SeenKey: Int] = [:]

        /// A row's key, for finding one read twice (the day as a number: formatting it for every row
        /// made parsing the built-in cards at start-up twice as slow).
        struct SeenKey: Hashable {
            var day: DayKey
            var fields: [String]
        }

        init(knownMarkets: Set<String>) { self.knownMarkets = knownMarkets }

        mutating func canonicalRates(_ rows: ArraySlice<CSV.Row>) -> [RateEntry] {
            var entries: [RateEntry] = []
            for row in rows {
                guard
                    let (fields, day, currency, market, initialProblems) = keyFields(row, count: canonicalHeader.count)
                else { continue }
                var problems = initialProblems
                let category = category(fields[3], &problems)
                let rate = rate(fields[4], name: "rate", &problems)
                guard problems.isEmpty, let day, let currency, let market, let category, let rate else {
                    fail(row.line, problems.joined(separator: "; "))
                    continue
                }
                let entry = RateEntry(
                    effectiveFrom: day, currency: currency, market: market, category: category, rate: rate)
                if let first = seen.updateValue(
                    row.line, forKey: SeenKey(day: day, fields: [currency, market, category]))
                {
                    fail(
                        row.line,
                        "\(currency) \(market) \(category) from \(DayKeys.format(day)) is already on line \(first)")
                    continue
                }
                entries.append(entry)
            }
            return entries
        }

        mutating func callingRates(_ rows: ArraySlice<CSV.Row>) -> [RateEntry] {
            var entries: [RateEntry] = []
            for row in rows {
                guard let (fields, day, currency, market, initialProblems) = keyFields(row, count: callingHeader.count)
                else { continue }
                var problems = initialProblems
                let rate = rate(fields[3], name: "rate_per_minute", &problems)
                guard problems.isEmpty, let day, let currency, let market, let rate else {
                    fail(row.line, problems.joined(separator: "; "))
                    continue
                }
                if let first = seen.updateValue(
                    row.line, forKey: SeenKey(day: day, fields: [currency, market, "calling"]))
                {
                    fail(
                        row.line,
                        "\(currency) \(market) calling from \(DayKeys.format(day)) is already on line \(first)")
                    continue
                }
                entries.append(
                    RateEntry(
                        effectiveFrom: day, currency: currency, market: market,
                        category: RateCardEdition.callingCategory, rate: rate))
            }
            return entries
        }

        /// Volume tiers; calling tiers come here with the calling category put in and `unit`
        /// "minutes", so their messages name the columns of their own layout.
        mutating func canonicalTiers(_ rows: ArraySlice<CSV.Row>, unit: String = "volume") -> [TierEntry] {
            let fromName = unit == "volume" ? "volume_from" : "minutes_from"
            let toName = unit == "volume" ? "volume_to" : "minutes_to"
            var entries: [(line: Int, tier: TierEntry)] = []
            for row in rows {
                guard let (fields, day, currency, market, initialProblems) = keyFields(row, count: tierHeader.count)
                else { continue }
                var problems = initialProblems
                let category = PricingCategory.normalize(fields[3])
                if category == RateCardEdition.callingCategory && unit == "minutes" {
                    // Calling tiers: minutes in the month.
                } else if !cardCategories.contains(category) {
                    _ = self.category(fields[3], &problems)
                } else if !tieredCategories.contains(category) {
                    problems.append(
                        "category \"\(fields[3])\" has no volume tiers (only utility, authentication and "
                            + "authentication_international do)")
                }
                let from = Int(fields[4])
                if from == nil || from! < 0 { problems.append("\(fromName) \"\(fields[4])\" is not a whole number") }
                var to: Int? = nil
                if !fields[5].isEmpty {
                    to = Int(fields[5])
                    if to == nil || to! < 1 {
                        problems.append(
                            "\(toName) \"\(fields[5])\" is not a whole number (leave it empty for no bound)")
                    } else if let from, to! < from {
                        problems.append("\(toName) \(to!) is below \(fromName) \(from)")
                    }
                }
                let rate = rate(fields[6], name: unit == "volume" ? "rate" : "rate_per_minute", &problems)
                guard problems.isEmpty, let day, let currency, let market, let from, let rate else {
                    fail(row.line, problems.joined(separator: "; "))
                    continue
                }
                let key = SeenKey(day: day, fields: [currency, market, category, String(max(from, 1))])
                if let first = seen.updateValue(row.line, forKey: key) {
                    fail(
                        row.line,
                        "the \(currency) \(market) \(category) tier from \(DayKeys.format(day)) starting at \(from) "
                            + "is already on line \(first)")
                    continue
                }
                entries.append(
                    (
                        row.line,
                        TierEntry(
                            effectiveFrom: day, currency: currency, market: market, category: category,
                            volumeFrom: from, volumeTo: to, rate: rate)
                    ))
            }
            checkTables(entries)
            return entries.map(\.tier)
        }

        /// Each table (effective day × currency × market × category) must cover 1… without gaps or
        /// overlaps, with only its last tier open-ended, so every position has exactly one rate.
        mutating func checkTables(_ entries: [(line: Int, tier: TierEntry)]) {
            struct TableKey: Hashable {
                var day: DayKey
                var currency: String
                var market: String
                var category: String
            }
            var tables: [TableKey: [(line: Int, tier: TierEntry)]] = [:]
            for entry in entries {
                let tier = entry.tier
                tables[
                    TableKey(
                        day: tier.effectiveFrom, currency: tier.currency, market: tier.market, category: tier.category),
                    default: []
                ].append(entry)
            }
            for (_, table) in tables {
                let sorted = table.sorted { $0.tier.volumeFrom < $1.tier.volumeFrom }
                if sorted[0].tier.volumeFrom > 1 {
                    fail(
                        sorted[0].line, "the first tier starts at \(sorted[0].tier.volumeFrom); it must start at 0 or 1"
                    )
                }
                for (previous, next) in zip(sorted, sorted.dropFirst()) {
                    guard let end = previous.tier.volumeTo else {
                        fail(previous.line, "only the last tier of a table may have an empty volume_to")
                        continue
                    }
                    if next.tier.volumeFrom != end + 1 {
                        let what = next.tier.volumeFrom <= end ? "overlaps" : "leaves a gap after"
                        fail(next.line, "tier starting at \(next.tier.volumeFrom) \(what) the tier ending at \(end)")
                    }
                }
            }
        }

        mutating func metaCard(_ rows: [CSV.Row], headerIndex: Int, effective: DayKey?) -> ImportedRateCard {
            let header = rows[headerIndex]
            let preamble = rows[..<headerIndex].map { $0.fields.joined(separator: " ") }
            var notes: [String] = []
            var day = effective
            if let effective {
                notes.append("effective from \(DayKeys.format(effective)) (--effective)")
            } else if let titled = preamble.lazy.compactMap(MetaRateCardLayout.effectiveDay(inTitle:)).first {
                day = titled
                notes.append("effective from \(DayKeys.format(titled)) (from the title row)")
            } else {
                fail(header.line, "no effective date in the title rows; pass --effective YYYY-MM-DD")
            }
            let titleCurrency = preamble.lazy.compactMap(MetaRateCardLayout.currency(inTitle:)).first
            var columns: [Int: String] = [:]
            for (index, cell) in header.fields.enumerated().dropFirst(2) {
                if let category = MetaRateCardLayout.category(ofHeader: cell) {
                    columns[index] = category
                } else if !cell.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    notes.append("column \"\(MetaRateCardLayout.flatten(cell))\" ignored (not a per-message rate)")
                }
            }
            var rates: [RateEntry] = []
            for row in rows[(headerIndex + 1)...] {
                let fields = row.fields.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                let rateCells = columns.keys.map { $0 < fields.count ? fields[$0] : "" }
                // Footnotes below the table have text in the first cell only.
                if fields.count < 2 || (fields[1].isEmpty && rateCells.allSatisfy(\.isEmpty)) { continue }
                var problems: [String] = []
                let market = market(fields[0], &problems)
                // A bare "$" (or no label) is only as clear as the title's currency ("… in AUD …").
                let labelled = MetaRateCardLayout.currency(ofLabel: fields[1])
                let currency = labelled ?? (fields[1] == "$" || fields[1].isEmpty ? titleCurrency : nil)
                if currency == nil {
                    problems.append("currency \"\(fields[1])\" is not a known currency label (e.g. USD, $US, €, ₹)")
                }
                var parsed: [(String, Decimal)] = []
                for (index, category) in columns.sorted(by: { $0.key < $1.key }) {
                    let cell = index < fields.count ? fields[index] : ""
                    if MetaRateCardLayout.isNotApplicable(cell) { continue }
                    if let rate = rate(cell.replacingOccurrences(of: ",", with: ""), name: category, &problems) {
                        parsed.append((category, rate))
                    }
                }
                guard problems.isEmpty, let day, let market, let currency else {
                    if !problems.isEmpty { fail(row.line, problems.joined(separator: "; ")) }
                    continue
                }
                if let first = seen.updateValue(row.line, forKey: SeenKey(day: day, fields: [currency, market])) {
                    fail(row.line, "\(currency) \(market) is already on line \(first)")
                    continue
                }
                for (category, rate) in parsed {
                    rates.append(
                        RateEntry(
                            effectiveFrom: day, currency: currency, market: market, category: category, rate: rate))
                }
            }
            if rates.isEmpty && errors.isEmpty { fail(header.line, "the card has no rates below its header") }
            return ImportedRateCard(layout: .meta, rates: rates, tiers: [], notes: notes)
        }

        /// The fields of a canonical row, with its first three (effective day, currency, market)
        /// read; `nil`, with the problem recorded, when the row has the wrong number of fields.
        private mutating func keyFields(
            _ row: CSV.Row, count: Int
        ) -> (
            fields: [String], day: DayKey?, currency: String?, market: String?, problems: [String]
        )? {
            let fields = row.fields.map(Self.trimmingSpaces)
            guard fields.count == count else {
                fail(row.line, "expected \(count) fields, found \(fields.count)")
                return nil
            }
            var problems: [String] = []
            let day = date(fields[0], &problems)
            let currency = currency(fields[1], &problems)
            let market = market(fields[2], &problems)
            return (fields, day, currency, market, problems)
        }

        private mutating func fail(_ line: Int, _ reason: String) {
            errors.append(RateImportError(line: line, reason: reason))
        }

        private func date(_ text: String, _ problems: inout [String]) -> DayKey? {
            guard let day = DayKeys.parse(text) else {
                problems.append("effective_from \"\(text)\" is not a date YYYY-MM-DD")
                return nil
            }
            return day
        }

        private func currency(_ text: String, _ problems: inout [String]) -> String? {
            let currency = text.uppercased()
            guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                problems.append("currency \"\(text)\" is not an ISO 4217 code")
                return nil
            }
            return currency
        }

        /// One of `cardCategories`, in any spelling `PricingCategory.normalize` folds to one.
        private func category(_ text: String, _ problems: inout [String]) -> String? {
            let category = PricingCategory.normalize(text)
            if text.isEmpty {
                problems.append("category is empty")
                return nil
            }
            guard cardCategories.contains(category) else {
                problems.append(
                    "category \"\(text)\" is not one a card prices (\(cardCategories.joined(separator: ", ")))")
                return nil
            }
            return category
        }

        /// Market names as Meta spells them; case and spacing are forgiven, anything else is an error.
        private func market(_ text: String, _ problems: inout [String]) -> String? {
            if text.isEmpty {
                problems.append("market is empty")
                return nil
            }
            if knownMarkets.contains(text) { return text }
            let folded = MetaRateCardLayout.flatten(text).lowercased()
            if let match = knownMarkets.first(where: { $0.lowercased() == folded }) { return match }
            problems.append(
                "market \"\(text)\" is not a Meta market (names are as on Meta's cards, e.g. \"Rest of Africa\")")
            return nil
        }

        private func rate(_ text: String, name: String, _ problems: inout [String]) -> Decimal? {
            guard isPlainDecimal(text), let rate = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
            else {
                problems.append("\(name) \"\(text)\" is not a non-negative decimal number")
                return nil
            }
            return rate
        }

        /// The field without leading and trailing spaces and tabs; a field without any (nearly every
        /// one) is returned as it is, without Foundation's bridging `trimmingCharacters(in:)`.
        static func trimmingSpaces(_ field: String) -> String {
            let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
            guard let first = field.first, let last = field.last, isSpace(first) || isSpace(last) else {
                return field
            }
            return String(field.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
        }

        /// `Decimal(string:)` accepts a numeric prefix ("0.5abc"); rates must be digits with one point.
        private func isPlainDecimal(_ text: String) -> Bool {
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
}
