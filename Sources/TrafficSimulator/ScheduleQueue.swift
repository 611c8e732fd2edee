import WhatsAppWebhook

/// What the simulator has scheduled to send: a status or inbound message still to be wrapped in a
/// body, or a body ready as it is (a redelivery, a tier update, a system error).
enum ScheduledItem: Sendable {
    case status(Int, String, WebhookBodyBuilder.Status, WebhookBodyBuilder.Contact?)
    case inbound(Int, String, WebhookBodyBuilder.Inbound)
    case body(SimulatedBody)
}

/// A binary min-heap by send time; equal times leave in scheduling order, so the output is fixed
/// by the seed alone. The heap holds small keys and the items wait in slots beside it: items are
/// large values, and moving them on every sift cost more than generating them.
struct ScheduleQueue: Sendable {
    struct Entry: Sendable {
        var at: Int64
        var item: ScheduledItem
    }

    private struct Key: Sendable {
        var at: Int64
        var sequence: Int
        var slot: Int
    }

    private var heap: [Key] = []
    private var slots: [ScheduledItem?] = []
    private var freeSlots: [Int] = []
    private var sequence = 0

    var peek: Entry? { heap.first.map { Entry(at: $0.at, item: slots[$0.slot]!) } }
    var peekTime: Int64? { heap.first?.at }
    var count: Int { heap.count }

    mutating func push(_ at: Int64, _ item: ScheduledItem) {
        sequence += 1
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slots[slot] = item
        } else {
            slot = slots.count
            slots.append(item)
        }
        heap.append(Key(at: at, sequence: sequence, slot: slot))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count && Self.before(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count && Self.before(heap[right], heap[smallest]) { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        let item = slots[top.slot]!
        slots[top.slot] = nil
        freeSlots.append(top.slot)
        return Entry(at: top.at, item: item)
    }

    private static func before(_ a: Key, _ b: Key) -> Bool {
        a.at != b.at ? a.at < b.at : a.sequence < b.sequence
    }
}
