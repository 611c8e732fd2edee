import Foundation

extension InsightsJSON {
    /// The answer as `WireJSON.encode(self)` writes it, written directly (`WireJSONWriter`, keys in
    /// the encoder's order by hand): an account's month by day, phone number, country and category
    /// is thousands of rows. With a forecast (a handful of rows, nested types of the report's JSON)
    /// `JSONEncoder` writes it.
    public func data() -> Data {
        guard forecast == nil else { return WireJSON.encode(self) }
        var writer = WireJSONWriter(capacity: 1_024 + (rows.count + totals.count) * 700)
        writer.openObject()
        writer.key("accounts")
        writer.array(strings: accounts)
        writer.key("dimensions")
        writer.array(strings: dimensions)
        if let end { writer.field("end", Int(end)) }
        writer.key("filters")
        writer.openObject()
        for (name, values) in filters.sorted(by: { WireJSONWriter.keyOrder($0.key, $1.key) }) {
            writer.key(name)
            writer.array(strings: values)
        }
        writer.closeObject()
        writer.field("from", from)
        writer.field("granularity", granularity)
        writer.key("rows")
        writer.figures(rows)
        if let start { writer.field("start", Int(start)) }
        writer.field("to", to)
        writer.key("totals")
        writer.figures(totals)
        writer.closeObject()
        return Data(writer.bytes)
    }
}

extension WireJSONWriter {
    /// The fixed keys of a total or a row, in the encoder's order; the dimension values are
    /// merged in among them.
    private enum FigureKey: String, CaseIterable {
        case calls, conversations, cost, currency, messages, period, unrated
    }

    fileprivate mutating func figures(_ list: [InsightsJSON.Figures]) {
        openArray()
        for figures in list {
            element()
            self.figures(figures)
        }
        closeArray()
    }

    /// A total or a row, as `InsightsJSON.Figures.encode(to:)` lays it out.
    private mutating func figures(_ figures: InsightsJSON.Figures) {
        let dimensions = figures.dimensions.sorted { Self.keyOrder($0.key, $1.key) }
        var next = dimensions.startIndex
        openObject()
        for fixed in FigureKey.allCases {
            while next < dimensions.endIndex, Self.keyOrder(dimensions[next].key, fixed.rawValue) {
                field(dimensions[next].key, dimensions[next].value)
                next += 1
            }
            switch fixed {
            case .calls:
                if let calls = figures.calls { self.calls(calls) }
            case .conversations: conversations(figures.conversations)
            case .cost: field("cost", figures.cost)
            case .currency: field("currency", figures.currency)
            case .messages: messages(figures.messages)
            case .period:
                if let period = figures.period { field("period", period) }
            case .unrated: field("unrated", figures.unrated)
            }
        }
        for (name, value) in dimensions[next...] { field(name, value) }
        closeObject()
    }

    private mutating func messages(_ messages: InsightsJSON.Messages) {
        key("messages")
        openObject()
        field("agent_sent", messages.agentSent)
        field("app_sent", messages.appSent)
        field("charged", messages.charged)
        field("delivered", messages.delivered)
        if let dropped = messages.dropped { field("dropped", dropped) }
        field("failed", messages.failed)
        field("free", messages.free)
        if let pending = messages.pending { field("pending", pending) }
        field("read", messages.read)
        field("received", messages.received)
        field("sent", messages.sent)
        closeObject()
    }

    private mutating func conversations(_ conversations: InsightsJSON.Conversations) {
        key("conversations")
        openObject()
        field("charged", conversations.charged)
        field("delivered", conversations.delivered)
        if let dropped = conversations.dropped { field("dropped", dropped) }
        field("free", conversations.free)
        if let pending = conversations.pending { field("pending", pending) }
        closeObject()
    }

    private mutating func calls(_ calls: InsightsJSON.Calls) {
        key("calls")
        openObject()
        field("answered", calls.answered)
        field("average_duration", calls.averageDuration)
        field("billed_minutes", calls.billedMinutes)
        field("charged", calls.charged)
        field("cost", calls.cost)
        field("count", calls.count)
        closeObject()
    }
}
