import Foundation

/// Compares Meta's analytics with wameter's cells of the same field and names the likely cause of
/// each difference. Pure: everything it knows is passed in.
///
/// The order of reasoning matters. A unit that moved between two cells (another country, category,
/// pricing type or phone number on the same day) shows as a surplus on one side and a shortfall on
/// the other; those are paired first, because a pair names its cause exactly. What is left is
/// judged by its day (a day far short is missing webhooks; today and yesterday Meta lags) and its
/// phone number (Meta leaves out numbers no longer in the account). Cost is compared only where the
/// units agree (otherwise the units are the difference), and a cost difference is explained by a
/// missing rate, another volume tier, or another rate card whose rate gives Meta's figure.
public struct DriftFinder: Sendable {
    public var tolerance: CostTolerance
    /// Meta showed cost (it hides it from businesses billed through a Solution Partner).
    public var compareCost: Bool
    public var currency: String
    /// The first day Meta may not have finished counting: yesterday in the account's time zone.
    public var lagFrom: DayKey
    public var rateCard: RateCard
    public var markets: MarketTable

    /// A day counts as missing webhooks when wameter has less than this share of Meta's units.
    static let missingDayShare = Decimal(string: "0.9")!

    public init(
        tolerance: CostTolerance, compareCost: Bool, currency: String, lagFrom: DayKey, rateCard: RateCard,
        markets: MarketTable = .standard
    ) {
        self.tolerance = tolerance
        self.compareCost = compareCost
        self.currency = currency
        self.lagFrom = lagFrom
        self.rateCard = rateCard
        self.markets = markets
    }

    public func drifts(meta: AnalyticsCells, wameter: AnalyticsCells) -> [Drift] {
        let field = meta.field
        let unit = Self.unitName(field)
        let keys = Set(meta.cells.keys).union(wameter.cells.keys).sorted()

        var gaps: [AnalyticsCellKey: Int] = [:]
        var metaByDay: [DayKey: Int] = [:]
        var wameterByDay: [DayKey: Int] = [:]
        var metaPhones = Set<String>()
        for key in keys {
            let m = meta.cells[key]?.units ?? 0
            let w = wameter.cells[key]?.units ?? 0
            if m != w { gaps[key] = m - w }
            metaByDay[key.day, default: 0] += m
            wameterByDay[key.day, default: 0] += w
            if m > 0 { metaPhones.insert(key.phone) }
        }

        var causes: [AnalyticsCellKey: (Drift.Cause, String)] = [:]
        // Pairs: the same day, one dimension apart, one side's surplus the other's shortfall.
        let shortfalls = Dictionary(grouping: gaps.filter { $0.value < 0 }.keys.sorted(), by: \.day)
        for key in gaps.keys.sorted() where gaps[key]! > 0 {
            for other in shortfalls[key.day] ?? [] where causes[other] == nil {
                guard let moved = Self.movedDimension(from: key, to: other) else { continue }
                let count = min(gaps[key]!, -gaps[other]!)
                let (cause, text) = Self.pairCause(moved, meta: key, wameter: other, count: count, unit: unit)
                causes[key] = (cause, text)
                causes[other] = (cause, text)
                break
            }
        }

        var drifts: [Drift] = []
        for key in keys {
            let m = meta.cells[key]
            let w = wameter.cells[key]
            var kinds: [Drift.Kind] = []
            let gap = gaps[key] ?? 0
            if gap != 0 { kinds.append(.units) }
            let costDiffers: Bool = {
                guard compareCost, let metaCost = m?.cost else { return false }
                if (w?.unrated ?? 0) > 0 { return true }
                return tolerance.differ(metaCost, w?.cost ?? 0)
            }()
            if costDiffers { kinds.append(.cost) }
            let tierDiffers =
                !(m?.tiers.isEmpty ?? true) && !(w?.tiers.isEmpty ?? true) && m?.tiers != w?.tiers
            if tierDiffers { kinds.append(.tier) }
            guard !kinds.isEmpty else { continue }

            let (cause, text): (Drift.Cause, String)
            if let paired = causes[key] {
                (cause, text) = paired
            } else if gap > 0 {
                let metaDay = metaByDay[key.day] ?? 0
                let wameterDay = wameterByDay[key.day] ?? 0
                if Decimal(wameterDay) < Decimal(metaDay) * Self.missingDayShare {
                    (cause, text) = (
                        .webhooksMissing,
                        "wameter has \(wameterDay) of Meta's \(Self.counted(metaDay, unit)) on \(DayKeys.format(key.day)): "
                            + "webhooks for that day did not arrive (check the webhook subscription and the server "
                            + "log for that day; Meta re-sends unacknowledged webhooks for 7 days only)"
                    )
                } else {
                    (cause, text) = (
                        .unexplained, "Meta counts \(Self.counted(gap, unit)) more than the webhooks told wameter"
                    )
                }
            } else if gap < 0 {
                if key.day >= lagFrom {
                    (cause, text) = (
                        .metaLagging,
                        "wameter counts \(Self.counted(-gap, unit)) more on \(DayKeys.format(key.day)): Meta's "
                            + "analytics lag up to a day; reconcile again tomorrow"
                    )
                } else if metaByDay[key.day] == 0 && meta.units > 0 {
                    (cause, text) = (
                        .metaNoData,
                        "Meta shows nothing on \(DayKeys.format(key.day)), where wameter has "
                            + "\(Self.counted(wameterByDay[key.day] ?? 0, unit)): Meta's answer does not cover that "
                            + "day (a partial export, or its analytics are not updated yet)"
                    )
                } else if !metaPhones.contains(key.phone) && meta.units > 0 {
                    (cause, text) = (
                        .phoneNotInAccount,
                        "Meta shows nothing for phone number \(key.phone) this month: its analytics only include "
                            + "numbers currently in the account (was the number moved or deleted?)"
                    )
                } else {
                    (cause, text) = (
                        .unexplained,
                        "wameter counts \(Self.counted(-gap, unit)) more than Meta's analytics (approximate, Meta says)"
                    )
                }
            } else if let w, w.unrated > 0, costDiffers {
                let market = markets.market(country: key.country, on: key.day)
                (cause, text) = (
                    .noRate,
                    "wameter has no rate for \(w.unrated) of these \(unit)s (\(market) \(key.category.lowercased()) "
                        + "on \(DayKeys.format(key.day))): import a rate card with `wameter rates import`"
                )
            } else if tierDiffers {
                (cause, text) = (
                    .volumeTier,
                    "Meta priced these in tier \(m!.tiers.joined(separator: ", ")), wameter's card in "
                        + "\(w!.tiers.joined(separator: ", ")): the portfolio's volume includes accounts or partners "
                        + "wameter does not see, or Meta's tier differs from the card's"
                )
            } else {
                (cause, text) = rateCardCause(key, meta: m!, wameter: w!, unit: unit)
            }
            drifts.append(
                Drift(field: field, key: key, meta: m, wameter: w, kinds: kinds, cause: cause, explanation: text))
        }
        return drifts
    }

    /// A cost difference with the same units: Meta's figure is `units × rate` of another card?
    private func rateCardCause(
        _ key: AnalyticsCellKey, meta: AnalyticsFigures, wameter: AnalyticsFigures, unit: String
    ) -> (Drift.Cause, String) {
        let metaCost = meta.cost ?? 0
        let wameterCost = wameter.cost ?? 0
        let market = markets.market(country: key.country, on: key.day)
        let category = key.category.lowercased()
        let history = rateCard.rateHistory(currency: currency, market: market, category: category)
        let inForce = history.last { $0.from <= key.day }
        if let match = history.last(where: { !tolerance.differ(metaCost, $0.rate * Decimal(meta.units)) }),
            match.from != inForce?.from
        {
            let used =
                inForce.map { " (the card effective \(DayKeys.format($0.from)), \(formatMoney($0.rate)) each)" } ?? ""
            return (
                .rateCard,
                "Meta's cost \(formatMoney(metaCost)) is \(meta.units) × \(formatMoney(match.rate)), the \(market) \(category) rate of the card "
                    + "effective \(DayKeys.format(match.from)); wameter's \(formatMoney(wameterCost)) is priced with another card"
                    + used
            )
        }
        return (
            .unexplained,
            "the \(unit)s agree but Meta's cost \(formatMoney(metaCost)) differs from wameter's \(formatMoney(wameterCost)) by more than "
                + "the tolerance (\(tolerance))"
        )
    }

    /// The one dimension two keys of the same day differ in, if exactly one.
    static func movedDimension(
        from a: AnalyticsCellKey, to b: AnalyticsCellKey
    ) -> WritableKeyPath<
        AnalyticsCellKey, String
    >? {
        let dimensions: [WritableKeyPath<AnalyticsCellKey, String>] = [\.country, \.category, \.type, \.phone]
        let differing = dimensions.filter { a[keyPath: $0] != b[keyPath: $0] }
        return differing.count == 1 ? differing[0] : nil
    }

    static func pairCause(
        _ moved: WritableKeyPath<AnalyticsCellKey, String>, meta: AnalyticsCellKey, wameter: AnalyticsCellKey,
        count: Int, unit: String
    ) -> (Drift.Cause, String) {
        let (a, b) = (meta[keyPath: moved], wameter[keyPath: moved])
        switch moved {
        case \.country:
            return (
                .marketMapping,
                "Meta counts \(counted(count, unit)) in \(a) that wameter counts in \(b): their recipients' numbers map to "
                    + "another country (see `wameter markets lookup NUMBER`)"
            )
        case \.category:
            return (
                .category,
                "Meta counts \(counted(count, unit)) as \(a) that the webhooks call \(b): Meta billed them in another "
                    + "category (e.g. a template re-categorised)"
            )
        case \.type
        where [a, b].contains("FREE_TIER")
            || ([a, b].contains("FREE_CUSTOMER_SERVICE")
                && [a, b].contains("REGULAR")):
            return (
                .freeTier,
                "Meta counts \(counted(count, unit)) as \(a) that wameter counts as \(b): the free tier was counted differently "
                    + "(the first 1,000 conversations a month before July 2025; from 2026-10-01 the 1,000 free "
                    + "service messages per phone number)"
            )
        case \.type:
            return (.pricingType, "Meta counts \(counted(count, unit)) as \(a) that wameter counts as \(b)")
        default:
            return (
                .phoneNumber, "Meta counts \(counted(count, unit)) under phone number \(a) that wameter has under \(b)"
            )
        }
    }

    /// The field's unit, singular.
    static func unitName(_ field: GraphAnalyticsRequest.Field) -> String {
        switch field {
        case .analytics, .pricingAnalytics: "message"
        case .conversationAnalytics: "conversation"
        case .callAnalytics: "call"
        }
    }

    /// `1 message`, `3 messages`.
    static func counted(_ count: Int, _ unit: String) -> String {
        count == 1 ? "1 \(unit)" : "\(count) \(unit)s"
    }
}
