import WhatsAppWebhook

/// What the simulator has scheduled to send: a status or inbound message still to be wrapped in a
/// body, or a body ready as it is (a redelivery, a tier update, a system error).
enum ScheduledItem {
    case status(Int, String, WebhookBodyBuilder.Status, WebhookBodyBuilder.Contact?)
    case inbound(Int, String, WebhookBodyBuilder.Inbound)
    case body(SimulatedBody)
}

/// A binary min-heap by send time; equal times leave in scheduling order, so the output is fixed
/// by the seed alone.
struct ScheduleQueue {
    struct Entry {
        var at: Int64
        var sequence: Int
        var item: ScheduledItem
    }

    private var heap: [Entry] = []
    private var sequence = 0

    var peek: Entry? { heap.first }
    var count: Int { heap.count }

    mutating func push(_ at: Int64, _ item: ScheduledItem) {
        sequence += 1
        heap.append(Entry(at: at, sequence: sequence, item: item))
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
        return top
    }

    private static func before(_ a: Entry, _ b: Entry) -> Bool {
        (a.at, a.sequence) < (b.at, b.sequence)
    }
}
