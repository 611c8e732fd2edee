import Foundation
import WhatsAppWebhook

/// A volume-tier pool within one portfolio and month: Meta counts charged utility and
/// authentication messages per market × category (reference §7.4). Authentication-international
/// accrues in the authentication pool ("accrual continues and tiers then apply to the
/// auth-international rate").
public struct TierPoolKey: Sendable, Hashable, Comparable {
    public var market: String
    public var category: String

    public init(market: String, category: String) {
        self.market = market
        self.category = category
    }

    /// The categories volume tiers apply to, each with the pool it accrues in (reference §7.4, §7.5):
    /// authentication-international counts in the authentication pool. The one spelling of this
    /// fact: rate import and the stores' SQL derive theirs from it, in this order.
    public static let tieredCategories: [(category: String, pool: String)] = [
        (PricingCategory.utility, PricingCategory.utility),
        (PricingCategory.authentication, PricingCategory.authentication),
        (PricingCategory.authenticationInternational, PricingCategory.authentication),
    ]

    /// The pool a charged message category accrues in, or `nil` for categories without tiers
    /// (marketing, service, and group utility: "Group utility messages are not eligible").
    public static func poolCategory(of category: String) -> String? {
        for tiered in tieredCategories where tiered.category == category { return tiered.pool }
        return nil
    }

    public static func < (lhs: TierPoolKey, rhs: TierPoolKey) -> Bool {
        (lhs.market, lhs.category) < (rhs.market, rhs.category)
    }
}

/// One charged message that counts toward a tier pool, with what orders it (delivery time, then
/// account and message id so that equal times still give one order).
public struct TierUnit: Sendable, Equatable {
    public var account: String
    public var messageId: String
    public var deliveredAt: Int64
    /// Delivery day in the message's own account's time zone: the day its rate is looked up for.
    public var day: DayKey
    public var category: String
    public var country: String
    /// The business phone number it was sent from (`""` when unknown): its share of the cost is
    /// reported per number.
    public var phone: String

    public init(
        account: String, messageId: String, deliveredAt: Int64, day: DayKey, category: String, country: String,
        phone: String = ""
    ) {
        self.account = account
        self.messageId = messageId
        self.deliveredAt = deliveredAt
        self.day = day
        self.category = category
        self.country = country
        self.phone = phone
    }

    /// The unit a stored message makes, or `nil` when it is not a charged, tier-counted message.
    public static func of(_ message: MessageRecord, days: DayKeyCache) -> TierUnit? {
        guard let delivered = message.deliveredAt, TierPoolKey.poolCategory(of: message.category) != nil,
            PricingRules.isChargedMessage(message)
        else { return nil }
        return TierUnit(
            account: message.account, messageId: message.messageId, deliveredAt: delivered,
            day: days.day(of: delivered), category: message.category,
            country: message.recipientCountry, phone: message.phoneNumberId ?? "")
    }
}

/// Meta's own word on a pool's tier: a `VOLUME_BASED_PRICING_TIER_UPDATE` webhook (reference §11.15).
public struct TierUpdate: Sendable, Equatable {
    public var account: String
    public var effectiveMonth: String
    public var region: String
    public var pricingCategory: String
    public var tier: String
    public var updatedAt: Int64

    public init(
        account: String, effectiveMonth: String, region: String, pricingCategory: String, tier: String,
        updatedAt: Int64
    ) {
        self.account = account
        self.effectiveMonth = effectiveMonth
        self.region = region
        self.pricingCategory = pricingCategory
        self.tier = tier
        self.updatedAt = updatedAt
    }

    /// The update an `account_update` event carries, when it is a complete tier update.
    public static func of(_ event: AccountUpdateEvent) -> TierUpdate? {
        guard event.event == "VOLUME_BASED_PRICING_TIER_UPDATE", let info = event.volumeTier,
            let month = info.effectiveMonth, let region = info.region, let category = info.pricingCategory,
            let tier = info.tier, let at = info.tierUpdateTime ?? event.time
        else { return nil }
        return TierUpdate(
            account: event.account, effectiveMonth: month, region: region,
            pricingCategory: PricingCategory.normalize(category), tier: tier, updatedAt: at)
    }
}

/// Marginal volume-tier pricing (reference §7.4): the N-th charged message of a pool in the month
/// gets the rate of the tier containing N, looked up on its own delivery day, so a rate change
/// mid-month applies from its day on while the count carries on.
public enum VolumeTierPricing {
    /// Consecutive units that share what their rate depends on.
    public struct Run: Sendable, Equatable {
        public var account: String
        public var day: DayKey
        public var category: String
        public var country: String
        public var phone: String
        public var count: Int

        public init(account: String, day: DayKey, category: String, country: String, phone: String = "", count: Int) {
            self.account = account
            self.day = day
            self.category = category
            self.country = country
            self.phone = phone
            self.count = count
        }
    }

    /// What a run costs: the priced part, and how many of its units had no rate.
    public struct Priced: Sendable, Equatable {
        public var cost: Decimal
        public var unrated: Int
        /// The run's units by the tier they were priced at (Meta's `TIER`, `"1001:10000"`), in order;
        /// units priced at the card's flat rate, with no tier table in force, are under `""`.
        public var tiers: [TierShare] = []
    }

    /// Units of a run priced at one tier.
    public struct TierShare: Sendable, Equatable {
        public var tier: String
        public var count: Int
        public var cost: Decimal
        public var unrated: Int
    }

    /// Groups units (in any order) into runs in delivery order.
    public static func runs(of units: [TierUnit]) -> [Run] {
        let ordered = units.sorted {
            ($0.deliveredAt, $0.account, $0.messageId) < ($1.deliveredAt, $1.account, $1.messageId)
        }
        var runs: [Run] = []
        for unit in ordered {
            if let last = runs.last, last.account == unit.account, last.day == unit.day,
                last.category == unit.category, last.country == unit.country, last.phone == unit.phone
            {
                runs[runs.count - 1].count += 1
            } else {
                runs.append(
                    Run(
                        account: unit.account, day: unit.day, category: unit.category, country: unit.country,
                        phone: unit.phone, count: 1))
            }
        }
        return runs
    }

    /// Prices the runs of one pool, in order, starting from position 1.
    public static func price(_ runs: [Run], market: String, currency: String, card: RateCard) -> [Priced] {
        var position = 0
        var priced: [Priced] = []
        priced.reserveCapacity(runs.count)
        // Runs are many and short when accounts and countries interleave; the table only changes
        // with the day or the category.
        var cached: (day: DayKey, category: String, table: [TierEntry]?)?
        for run in runs {
            var result = Priced(cost: 0, unrated: 0)
            var remaining = run.count
            if cached.map({ $0.day != run.day || $0.category != run.category }) ?? true {
                cached = (
                    run.day, run.category,
                    card.tierTable(currency: currency, market: market, category: run.category, on: run.day)
                )
            }
            while remaining > 0 {
                let take: Int
                let rate: Decimal?
                var label = ""
                if let table = cached?.table,
                    let tier = RateCard.tier(containing: position + 1, in: table)
                {
                    take = min(remaining, tier.volumeTo.map { $0 - position } ?? remaining)
                    rate = tier.rate
                    label = tier.label
                } else {
                    take = remaining
                    rate = card.rate(currency: currency, market: market, category: run.category, on: run.day)
                }
                let cost = rate.map { $0 * Decimal(take) } ?? 0
                if rate != nil { result.cost += cost } else { result.unrated += take }
                result.tiers.append(TierShare(tier: label, count: take, cost: cost, unrated: rate == nil ? take : 0))
                position += take
                remaining -= take
            }
            priced.append(result)
        }
        return priced
    }

    /// The pools whose units cannot all be priced at their first tier: those whose month total
    /// passes the end of the first tier of a table in force on one of their days. Only these need
    /// their messages in delivery order; every other pool is priced from the daily counts.
    public static func poolsCrossingATier(
        _ cells: [TierPoolKey: [(day: DayKey, category: String, count: Int)]], currency: String, card: RateCard
    ) -> Set<TierPoolKey> {
        var crossing: Set<TierPoolKey> = []
        for (pool, poolCells) in cells {
            let total = poolCells.reduce(0) { $0 + $1.count }
            for cell in poolCells {
                guard
                    let table = card.tierTable(
                        currency: currency, market: pool.market, category: cell.category, on: cell.day),
                    let firstEnd = table.first?.volumeTo
                else { continue }
                if total > firstEnd {
                    crossing.insert(pool)
                    break
                }
            }
        }
        return crossing
    }

    /// Charged, tier-counted rollup cells grouped by pool (markets by each cell's day).
    public static func cells(
        of rollups: [RollupRow], markets: MarketTable = .standard
    ) -> [TierPoolKey: [(day: DayKey, category: String, count: Int)]] {
        var cells: [TierPoolKey: [(day: DayKey, category: String, count: Int)]] = [:]
        for row in rollups where row.key.metric == .messageCharged {
            guard let pool = pool(of: row.key, markets: markets) else { continue }
            cells[pool, default: []].append((row.key.day, row.key.category, row.count))
        }
        return cells
    }

    static func pool(of key: RollupKey, markets: MarketTable) -> TierPoolKey? {
        guard let category = TierPoolKey.poolCategory(of: key.category) else { return nil }
        return TierPoolKey(market: markets.market(country: key.country, on: key.day), category: category)
    }
}
