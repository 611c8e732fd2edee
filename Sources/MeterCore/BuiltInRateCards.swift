import Foundation
import Synchronization

/// The rate card history compiled into wameter, so costs are right without importing anything.
///
/// The rows are the CSV files of `data/rates/` (embedded by `scripts/generate-builtin-rates.py` as
/// `Data/BuiltInRateFiles.swift`); this catalog says which of them are built in, as whole cards or
/// patches, and how far each can be trusted, from `data/rates/SOURCES.md`. Only cards SOURCES.md
/// marks complete (every market × category Meta prints on that day, save a named column) are whole
/// cards; the July 2026 USD card, complete for marketing and utility only, is a patch of April's.
/// Partial cards (EUR, BRL, AED, USD 2024-06) are in `data/rates/` to import with `--patch`.
public enum BuiltInRateCards {
    struct Entry {
        var files: [String]
        var kind: RateCardEdition.Kind
        var confidence: RateCardEdition.Confidence
        var note: String?
        var uncertain: [String] = []

        /// From the first file's name (`rates-USD-2026-04-01.csv`).
        var currency: String { String(files[0].split(separator: "-")[1]) }
    }

    static let catalog: [Entry] = [
        Entry(
            files: ["rates-USD-2022-02-01.csv"], kind: .whole, confidence: .metaCopy,
            note: "conversation pricing's 2022 card (business- and user-initiated); undated, current in January 2023"),
        Entry(
            files: ["rates-USD-2024-10-01.csv"], kind: .whole, confidence: .transcription,
            note: "no service rates (service conversations of October 2024 are unrated); from 2025-02-01 "
                + "authentication is overstated for Egypt, Malaysia, Nigeria, Pakistan, Saudi Arabia, South Africa "
                + "and United Arab Emirates (Meta lowered it; that card was not found)"),
        Entry(files: ["rates-USD-2025-10-01.csv"], kind: .whole, confidence: .transcription, note: nil),
        Entry(files: ["rates-USD-2026-01-01.csv"], kind: .whole, confidence: .transcription, note: nil),
        Entry(
            files: ["rates-USD-2026-04-01.csv", "tiers-USD-2026-04-01.csv"], kind: .whole, confidence: .metaCopy,
            note: nil),
        Entry(
            files: ["rates-USD-2026-07-01.csv", "tiers-USD-2026-07-01.csv"], kind: .patch,
            confidence: .transcription,
            note: "marketing and utility for all 38 markets; authentication for 9 markets and "
                + "authentication-international for 5, the rest kept from 2026-04-01 (all sources agree); "
                + "Hong Kong, Hungary, Poland, Romania and Singapore have no authentication rate"),
        Entry(
            files: ["rates-USD-2026-10-01.csv", "tiers-USD-2026-10-01.csv"], kind: .whole,
            confidence: .transcription,
            note: "authentication-international only for India, Morocco, Nigeria and South Africa (unrated "
                + "elsewhere); volume tiers only for Rest of Africa utility (the list rate prices the rest)",
            uncertain: ["Saudi Arabia/marketing", "United Arab Emirates/marketing"]),
        Entry(
            files: ["rates-INR-2025-10-01.csv"], kind: .whole, confidence: .transcription,
            note: "the latest INR card found before 2026-10-01: Meta changed rates on 2026-01-01, 2026-04-01 and "
                + "2026-07-01, which this card does not have"),
        Entry(
            files: ["rates-INR-2026-10-01.csv", "tiers-INR-2026-10-01.csv"], kind: .whole, confidence: .metaCopy,
            note: nil),
        Entry(
            files: ["calling-USD-2025-08-01.csv"], kind: .whole, confidence: .transcription,
            note: "business-initiated calling list rates per minute for 28 markets (none for Egypt, Nigeria, North "
                + "America, Turkey); the minute tiers were not found"),
    ]

    /// Every currency with a built-in card.
    public static let currencies: [String] = Array(Set(catalog.map(\.currency))).sorted()

    /// Every built-in card, oldest first within each currency and product.
    public static var editions: [RateCardEdition] { currencies.flatMap { editions(currency: $0) } }

    /// The built-in cards of one currency, read on first use: a report needs only its account's
    /// currency, and every report's process pays for what it reads.
    public static func editions(currency: String) -> [RateCardEdition] {
        if let cached = loaded.withLock({ $0[currency] }) { return cached }
        let editions = catalog.filter { $0.currency == currency }.map(edition).sorted {
            ($0.product.rawValue, $0.effectiveFrom) < ($1.product.rawValue, $1.effectiveFrom)
        }
        loaded.withLock { $0[currency] = editions }
        return editions
    }

    private static let loaded = Mutex<[String: [RateCardEdition]]>([:])

    /// The built-in card of a currency, day and product, if there is one.
    public static func edition(
        currency: String, effectiveFrom day: DayKey, product: RateCardEdition.Product = .messaging
    ) -> RateCardEdition? {
        editions(currency: currency).first { $0.effectiveFrom == day && $0.product == product }
    }

    /// The data is part of the code and tested, so a file that is missing is a bug.
    private static func edition(_ entry: Entry) -> RateCardEdition {
        var rates: [RateEntry] = []
        var tiers: [TierEntry] = []
        for file in entry.files {
            guard let text = BuiltInRateFiles.files[file] else { fatalError("built-in rate file \(file) is missing") }
            let card = rows(of: text)
            rates += card.rates
            tiers += card.tiers
        }
        let first = rates.first.map { ($0.currency, $0.effectiveFrom) } ?? (tiers[0].currency, tiers[0].effectiveFrom)
        return RateCardEdition(
            currency: first.0, effectiveFrom: first.1, kind: entry.kind, origin: .builtIn, rates: rates, tiers: tiers,
            confidence: entry.confidence, note: entry.note, uncertain: entry.uncertain)
    }

    /// Reads a built-in file without the importer's checks: every report's process loads the
    /// history, and the importer's validation made that 25 ms of a 90 ms report. The files are
    /// known good: `BuiltInRateCardTests` imports each with the importer and checks that both read
    /// the same rows. The layouts are the importer's canonical ones (no quoting in these files).
    static func rows(of text: String) -> (rates: [RateEntry], tiers: [TierEntry]) {
        var rates: [RateEntry] = []
        var tiers: [TierEntry] = []
        let lines = text.split(separator: "\n")
        guard let header = lines.first else { return ([], []) }
        let calling = header.hasSuffix("rate_per_minute")
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            let day = dayKey(fields[0])
            let currency = String(fields[1])
            let market = String(fields[2])
            switch fields.count {
            case 4:
                rates.append(
                    RateEntry(
                        effectiveFrom: day, currency: currency, market: market,
                        category: RateCardEdition.callingCategory, rate: decimal(fields[3])))
            case 5:
                rates.append(
                    RateEntry(
                        effectiveFrom: day, currency: currency, market: market, category: String(fields[3]),
                        rate: decimal(fields[4])))
            default:
                let offset = calling ? 3 : 4
                tiers.append(
                    TierEntry(
                        effectiveFrom: day, currency: currency, market: market,
                        category: calling ? RateCardEdition.callingCategory : String(fields[3]),
                        volumeFrom: Int(fields[offset])!, volumeTo: Int(fields[offset + 1]),
                        rate: decimal(fields[offset + 2])))
            }
        }
        return (rates, tiers)
    }

    /// "2026-04-01" as 20260401.
    private static func dayKey(_ text: Substring) -> DayKey {
        var value: DayKey = 0
        for byte in text.utf8 where byte != UInt8(ascii: "-") { value = value * 10 + DayKey(byte - UInt8(ascii: "0")) }
        return value
    }

    /// A plain decimal ("0.0118") exactly, without `Decimal(string:)`'s locale machinery.
    private static func decimal(_ text: Substring) -> Decimal {
        var significand: UInt64 = 0
        var scale = 0
        var fraction = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                fraction = true
            } else {
                significand = significand * 10 + UInt64(byte - UInt8(ascii: "0"))
                if fraction { scale += 1 }
            }
        }
        return Decimal(sign: .plus, exponent: -scale, significand: Decimal(significand))
    }
}
