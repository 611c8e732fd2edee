import Foundation

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

    /// Every built-in card, oldest first within each currency and product.
    public static let editions: [RateCardEdition] = catalog.map(edition).sorted {
        ($0.currency, $0.product.rawValue, $0.effectiveFrom) < ($1.currency, $1.product.rawValue, $1.effectiveFrom)
    }

    /// The built-in card of a currency, day and product, if there is one.
    public static func edition(
        currency: String, effectiveFrom day: DayKey, product: RateCardEdition.Product = .messaging
    ) -> RateCardEdition? {
        editions.first { $0.currency == currency && $0.effectiveFrom == day && $0.product == product }
    }

    /// The data is part of the code and tested, so a file that is missing or does not parse is a bug.
    private static func edition(_ entry: Entry) -> RateCardEdition {
        var rates: [RateEntry] = []
        var tiers: [TierEntry] = []
        for file in entry.files {
            guard let text = BuiltInRateFiles.files[file] else { fatalError("built-in rate file \(file) is missing") }
            do {
                let card = try RateCardImport.parse(text)
                rates += card.rates
                tiers += card.tiers
            } catch {
                fatalError("built-in rate file \(file) does not parse: \(error)")
            }
        }
        let first = rates.first.map { ($0.currency, $0.effectiveFrom) } ?? (tiers[0].currency, tiers[0].effectiveFrom)
        return RateCardEdition(
            currency: first.0, effectiveFrom: first.1, kind: entry.kind, origin: .builtIn, rates: rates, tiers: tiers,
            confidence: entry.confidence, note: entry.note, uncertain: entry.uncertain)
    }
}
