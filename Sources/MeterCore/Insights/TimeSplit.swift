import Foundation

/// Where the insights place a unit in time: on its local day, or, for `half_hour` queries, in its
/// half-hour too. What a day's pricing decided for a number of units (a tier, the free tier, their
/// cost) is placed on their half-hours with `take` and `share`.
struct TimeSplit {
    /// Units by half-hour (`nil`: the whole day), in time order.
    typealias Slots = [(halfHour: Int64?, count: Int)]

    let halfHourly: Bool
    let calendar: BillingCalendar

    /// The half-hour a stored counter names, when the query splits by half-hour.
    func halfHour(_ stored: Int64) -> Int64? { halfHourly ? stored : nil }

    /// The half-hour a local day starts in, when the query splits by half-hour.
    func start(of day: DayKey) -> Int64? {
        halfHourly ? RollupKey.halfHour(of: calendar.start(of: day)) : nil
    }

    /// The first `count` units of `slots`, removed from them.
    static func take(_ count: Int, from slots: inout Slots) -> Slots {
        var taken: Slots = []
        var wanted = count
        while wanted > 0, !slots.isEmpty {
            let here = min(wanted, slots[0].count)
            taken.append((slots[0].halfHour, here))
            wanted -= here
            if here == slots[0].count { slots.removeFirst() } else { slots[0].count -= here }
        }
        // More than the slots hold (the counters and the pricing disagree): the rest on the last.
        if wanted != 0 { taken.append((taken.last?.halfHour ?? slots.first?.halfHour, wanted)) }
        return taken
    }

    /// Shares a cost and an unrated count over units by half-hour, in proportion to their number:
    /// each half-hour gets the cumulative share up to its end less what went before, so the parts
    /// add up to the whole exactly, and units that share one rate get exactly that rate each.
    static func share(
        cost: Decimal, unrated: Int, over slots: Slots, fallback: Int64?, _ body: (Int64?, Decimal, Int) -> Void
    ) {
        let total = slots.reduce(0) { $0 + $1.count }
        guard slots.count > 1, total > 0, slots.allSatisfy({ $0.count >= 0 }) else {
            body(slots.first?.halfHour ?? fallback, cost, unrated)
            return
        }
        // Units that share one rate (nearly always: one card, one market, one category, one day) get
        // exactly that rate each, from one division: at 10 million messages a month the division
        // per half-hour was a tenth of a half-hour query.
        let unit = cost / Decimal(total)
        let uniform = unit * Decimal(total) == cost
        var cumulative = 0
        var givenCost = Decimal(0)
        var givenUnrated = 0
        for (index, slot) in slots.enumerated() {
            cumulative += slot.count
            let last = index == slots.count - 1
            let costSoFar =
                last
                ? cost
                : uniform
                    ? unit * Decimal(cumulative) : (cost * Decimal(cumulative) / Decimal(total)).rounded(places: 10)
            let unratedSoFar = last ? unrated : unrated * cumulative / total
            if costSoFar != givenCost || unratedSoFar != givenUnrated {
                body(slot.halfHour, costSoFar - givenCost, unratedSoFar - givenUnrated)
            }
            givenCost = costSoFar
            givenUnrated = unratedSoFar
        }
    }
}
