import Foundation
import MeterCore
import WhatsAppWebhook

/// A deterministic model of the WhatsApp Business Platform's webhook stream (reference §3, §11).
///
/// Interactions start at random times on a simulated clock: template sends of every category,
/// customers writing in (opening a customer-service window) and getting service replies, Click-to-
/// WhatsApp ad entries (free entry point windows), group messages, recipients known only by a
/// business-scoped user id, tier updates and system errors. Each interaction schedules its webhooks
/// (sent, delivered after a delay that may cross a month boundary or never come, read — sometimes
/// without delivered, sometimes before it —, failed with real error codes); `next()` hands them out
/// in the order Meta would send them, batching some and sending some twice. The pricing era follows
/// the simulated date: conversation-based before 2025-07-01, per-message after, with the
/// 2026-10-01 changes.
public struct TrafficSimulator: Sendable {
    public let settings: SimulationSettings
    public private(set) var stats = SimulationStats()

    private var random: SeededRandom
    private var clock: Double
    private var queue = ScheduleQueue()
    private var messageCounter = 0
    private var recentConversations: [RecentConversation] = []
    /// Service deliveries per phone number and month, for the 2026-10-01 free tier of 1,000.
    private var serviceCounts: [String: Int] = [:]
    private let builder = WebhookBodyBuilder()

    private struct RecentConversation {
        var account: Int
        var phone: String
        var recipient: String
        var category: String
        var id: String
        var expiresAt: Int64
    }

    public init(_ settings: SimulationSettings) {
        precondition(!settings.accounts.isEmpty && settings.accounts.allSatisfy { !$0.phoneNumberIds.isEmpty })
        self.settings = settings
        random = SeededRandom(seed: settings.seed)
        clock = Double(settings.start)
    }

    /// The next body Meta would send.
    public mutating func next() -> SimulatedBody {
        while queue.peekTime.map({ Double($0) > clock }) ?? true {
            startInteraction(at: Int64(clock))
            // Exponential gaps: interactions arrive as a Poisson process.
            clock += -log(1 - random.unit()) * settings.meanGapSeconds
        }
        let first = queue.pop()!
        var body: SimulatedBody
        switch first.item {
        case .status(let account, let phone, let status, let contact):
            // Meta batches updates that are ready at about the same time, across phone numbers and
            // accounts too: one body can hold several entries, each with several changes.
            var ready = [(account: account, phone: phone, status: status, contact: contact)]
            if random.chance(settings.batchRate) {
                while ready.count < 20, let at = queue.peekTime, at <= first.at + 5, let top = queue.peek,
                    case .status(let moreAccount, let morePhone, let more, let moreContact) = top.item
                {
                    _ = queue.pop()
                    ready.append((moreAccount, morePhone, more, moreContact))
                }
            }
            var entries: [(account: String, changes: [WebhookBodyBuilder.Change])] = []
            for update in ready {
                let id = settings.accounts[update.account].id
                if entries.last?.account != id { entries.append((id, [])) }
                if entries[entries.count - 1].changes.last?.phoneNumberId != update.phone {
                    entries[entries.count - 1].changes.append(WebhookBodyBuilder.Change(phoneNumberId: update.phone))
                }
                let last = entries[entries.count - 1].changes.count - 1
                entries[entries.count - 1].changes[last].statuses.append(update.status)
                if let contact = update.contact { entries[entries.count - 1].changes[last].contacts.append(contact) }
            }
            body = SimulatedBody(
                bytes: builder.body(entries), kind: .statuses, account: settings.accounts[account].id,
                sentAt: first.at, isRedelivery: false, statuses: ready.map(\.status.status))
        case .inbound(let account, let phone, let message):
            let bytes = builder.body([
                (settings.accounts[account].id, [WebhookBodyBuilder.Change(phoneNumberId: phone, inbound: [message])])
            ])
            body = SimulatedBody(
                bytes: bytes, kind: .inbound, account: settings.accounts[account].id, sentAt: first.at,
                isRedelivery: false)
        case .body(let prepared):
            body = prepared
            body.sentAt = first.at
            if body.isRedelivery { stats.redeliveries += 1 }
        }
        stats.bodies += 1
        // A redelivered body counts its statuses again: Meta sent them again.
        for status in body.statuses { stats.statuses[status, default: 0] += 1 }
        stats.byKind[body.kind.rawValue, default: 0] += 1
        if !body.isRedelivery && random.chance(settings.redeliveryRate) {
            var again = body
            again.isRedelivery = true
            // Later, after other webhooks: out of order as well as duplicated.
            queue.push(first.at + Int64(random.int(1...900)), .body(again))
        }
        return body
    }

    // MARK: - Interactions

    // The pricing eras, from MeterCore's one table of them, as UTC instants.
    private static let cbp2023 = PricingEra.conversationCategories.utc
    private static let pmpStart = PricingEra.perMessagePricing.utc
    private static let october2026 = PricingEra.serviceFreeTier.utc
    /// 2026-01-01: business-scoped user ids appear (reference §3.6); not a pricing era.
    private static let bsuidStart: Int64 = 1_767_225_600
    /// 2025-08-01: the first calling rate cards (reference §7.11).
    private static let callingStart: Int64 = 1_754_006_400

    private mutating func startInteraction(at t: Int64) {
        let account = random.int(0...(settings.accounts.count - 1))
        let phones = settings.accounts[account].phoneNumberIds
        let phone = phones[random.int(0...(phones.count - 1))]
        // Drawn only when enabled, so that traffic without calls or echoes is what it always was.
        if settings.callRate > 0, t >= Self.callingStart, random.chance(settings.callRate) {
            return call(account, phone, at: t)
        }
        if settings.echoRate > 0, random.chance(settings.echoRate) { return echo(account, phone, at: t) }
        switch random.weighted([(0, 735), (1, 120), (2, 50), (3, 40), (4, 45), (5, 5), (6, 5)]) {
        case 1: customerService(account, phone, at: t)
        case 2: freeEntryPoint(account, phone, at: t)
        case 3 where t >= Self.pmpStart: group(account, phone, at: t)
        case 4 where t >= Self.bsuidStart: businessScopedUser(account, phone, at: t)
        case 5:
            let tier = random.weighted([("0:100000", 3), ("100001:500000", 2), ("500001:1000000", 1)])
            let region = random.weighted([("India", 3), ("Brazil", 2), ("Indonesia", 1)])
            let bytes = builder.tierUpdateBody(
                account: settings.accounts[account].id, time: t,
                pricingCategory: random.chance(0.7) ? "UTILITY" : "AUTHENTICATION", tier: tier,
                effectiveMonth: Self.utcMonth(t), region: region)
            queue.push(t, .body(prepared(bytes, .tierUpdate, account)))
        case 6:
            let bytes = builder.systemErrorBody(
                account: settings.accounts[account].id, phoneNumberId: phone, code: 131_000,
                title: "Something went wrong")
            queue.push(t, .body(prepared(bytes, .systemError, account)))
        default: template(account, phone, at: t)
        }
    }

    /// A business-initiated template, with its fate.
    private mutating func template(_ account: Int, _ phone: String, at t: Int64) {
        var (recipient, country) = newRecipient()
        var category: String
        if t < Self.cbp2023 {
            category = PricingCategory.businessInitiated
        } else {
            category = random.weighted([
                (PricingCategory.marketing, 45), (PricingCategory.utility, 28), (PricingCategory.authentication, 12),
                (PricingCategory.authenticationInternational, 4),
                (PricingCategory.marketingLite, t >= Self.pmpStart ? 6 : 0),
            ])
            let international =
                t >= PricingEra.serviceFreeTier.utc
                ? SimulatedRecipients.authenticationInternationalFrom2026_10
                : SimulatedRecipients.authenticationInternational
            if category == PricingCategory.authenticationInternational && !international.contains(country) {
                category = PricingCategory.authentication
            }
        }
        var conversation: WebhookBodyBuilder.Conversation?
        if t < Self.pmpStart {
            // Conversation-based pricing: a template to someone with an open conversation of the same
            // category joins it; otherwise it opens one for 24 hours.
            if random.chance(0.2),
                let open = recentConversations.last(where: {
                    $0.account == account && $0.phone == phone && $0.expiresAt > t
                })
            {
                recipient = open.recipient
                category = open.category
                conversation = .init(id: open.id, originType: open.category)
            } else {
                conversation = newConversation(account, phone, recipient, category, at: t)
            }
        } else if settings.accounts[account].sendsConversationPerMessage {
            conversation = .init(id: random.hex(32), originType: category)
        }
        let pricing = pricing(
            category: category, type: "regular", at: t, cost: category == PricingCategory.marketingLite)
        sendWithFate(account, phone, to: recipient, pricing: pricing, conversation: conversation, at: t)
    }

    /// A customer writes in: the customer-service window opens; a service reply follows, and
    /// sometimes a utility template inside the window.
    private mutating func customerService(_ account: Int, _ phone: String, at t: Int64) {
        let (customer, _) = newRecipient()
        let text = random.weighted([
            ("Hi, where is my order?", 3), ("Olá, vocês entregam no sábado?", 2), ("¿Tienen envíos a Bogotá?", 2),
            ("नमस्ते, मेरा ऑर्डर कहाँ है?", 1),
        ])
        queue.push(
            t, .inbound(account, phone, .init(messageId: newWamid(account), from: customer, timestamp: t, text: text)))
        let reply = t + Int64(random.int(20...900))
        let serviceCategory = t < Self.cbp2023 ? PricingCategory.userInitiated : PricingCategory.service
        let conversation =
            reply < Self.pmpStart ? newConversation(account, phone, customer, serviceCategory, at: reply) : nil
        let type = serviceType(phone, at: reply)
        send(
            account, phone, to: customer,
            pricing: pricing(category: serviceCategory, type: type, at: reply, cost: false),
            conversation: conversation, delivered: reply + Int64(random.int(1...30)),
            read: random.chance(0.8) ? reply + Int64(random.int(30...600)) : nil, at: reply)
        if random.chance(0.4) {
            let later = t + Int64(random.int(3_600...72_000))
            // Before 2026-10-01 a utility template inside the window is free; from then on it is charged.
            let inWindowType = later >= Self.october2026 ? "regular" : "free_customer_service"
            let utilityConversation =
                later < Self.pmpStart
                ? newConversation(account, phone, customer, PricingCategory.utility, at: later) : nil
            let pricing = pricing(category: PricingCategory.utility, type: inWindowType, at: later, cost: false)
            sendWithFate(account, phone, to: customer, pricing: pricing, conversation: utilityConversation, at: later)
        }
    }

    /// A customer arrives from a Click-to-WhatsApp ad; the business replies within 24 hours, which
    /// opens a 72-hour free entry point window; a marketing message follows inside it.
    private mutating func freeEntryPoint(_ account: Int, _ phone: String, at t: Int64) {
        let (customer, _) = newRecipient()
        let inbound = WebhookBodyBuilder.Inbound(
            messageId: newWamid(account), from: customer, timestamp: t, text: "I saw your ad",
            referral: (sourceId: random.digits(15), clickId: "Aff" + random.hex(20)))
        queue.push(t, .inbound(account, phone, inbound))
        let reply = t + Int64(random.int(60...3_600))
        let window = WebhookBodyBuilder.Conversation(
            id: random.hex(32), originType: PricingCategory.referralConversion, expiresAt: reply + 72 * 3_600)
        let free = WebhookBodyBuilder.Pricing(
            model: reply < Self.pmpStart ? "CBP" : "PMP", category: PricingCategory.referralConversion, billable: false,
            type: reply < Self.pmpStart ? nil : "free_entry_point")
        send(
            account, phone, to: customer, pricing: free, conversation: window,
            delivered: reply + Int64(random.int(1...20)), read: reply + Int64(random.int(20...900)), at: reply)
        if random.chance(0.5) {
            let followUp = reply + Int64(random.int(3_600...48 * 3_600))
            send(
                account, phone, to: customer, pricing: free, conversation: window,
                delivered: followUp + Int64(random.int(1...20)), read: nil, at: followUp)
        }
    }

    /// A Groups API message: sent once to the group, delivered to each member separately.
    private mutating func group(_ account: Int, _ phone: String, at t: Int64) {
        let groupId = "120363" + random.digits(12) + "@g.us"
        let wamid = newWamid(account)
        let category = random.weighted([("group_marketing", 2), ("group_utility", 1)])
        let pricing = pricing(category: category, type: "regular", at: t, cost: false)
        queue.push(
            t,
            .status(
                account, phone,
                .init(messageId: wamid, status: "sent", timestamp: t, recipientId: groupId, recipientType: "group"),
                nil))
        for _ in 0..<random.int(2...6) {
            let (member, _) = newRecipient()
            let delivered = t + Int64(random.int(1...300))
            queue.push(
                delivered,
                .status(
                    account, phone,
                    .init(
                        messageId: wamid, status: "delivered", timestamp: delivered, recipientId: groupId,
                        pricing: pricing, recipientType: "group", recipientParticipantId: member), nil))
        }
    }

    /// A recipient known only by a business-scoped user id (2026): no phone number; the contact's
    /// country, which Meta documents on these statuses ("subject to change"; the Unknown market
    /// without it is covered by the rating tests).
    private mutating func businessScopedUser(_ account: Int, _ phone: String, at t: Int64) {
        let (_, country) = newRecipient()
        let user = "user." + random.hex(32)
        let contact = WebhookBodyBuilder.Contact(
            waId: "", userId: user, countryCode: country)
        let wamid = newWamid(account)
        let pricing = pricing(category: PricingCategory.marketing, type: "regular", at: t, cost: false)
        queue.push(
            t,
            .status(
                account, phone,
                .init(
                    messageId: wamid, status: "sent", timestamp: t, recipientId: "", pricing: pricing,
                    recipientUserId: user), contact))
        let delivered = t + Int64(random.int(1...120))
        queue.push(
            delivered,
            .status(
                account, phone,
                .init(
                    messageId: wamid, status: "delivered", timestamp: delivered, recipientId: "", pricing: pricing,
                    recipientUserId: user), contact))
    }

    // MARK: - Fates

    private static let errors: [((code: Int, title: String), Int)] = [
        ((131_026, "Message undeliverable"), 4), ((131_047, "Re-engagement message"), 2),
        ((131_049, "This message was not delivered to maintain healthy ecosystem engagement."), 3),
        ((131_050, "User has stopped marketing messages"), 1), ((130_472, "User's number is part of an experiment"), 1),
        ((131_042, "Business eligibility payment issue"), 1), ((131_000, "Something went wrong"), 1),
    ]

    /// Schedules a sent message's statuses: delivered (after a delay that is sometimes long enough
    /// to cross a month boundary), never delivered, failed, or read without a delivered.
    private mutating func sendWithFate(
        _ account: Int, _ phone: String, to recipient: String, pricing: WebhookBodyBuilder.Pricing,
        conversation: WebhookBodyBuilder.Conversation?, at t: Int64
    ) {
        let fate = random.unit()
        if fate < 0.05 {
            // Never delivered: pending, then dropped after 30 days.
            send(
                account, phone, to: recipient, pricing: pricing, conversation: conversation, delivered: nil, read: nil,
                at: t)
        } else if fate < 0.11 {
            let wamid = newWamid(account)
            if random.chance(0.8) {
                queue.push(
                    t,
                    .status(
                        account, phone,
                        .init(
                            messageId: wamid, status: "sent", timestamp: t, recipientId: recipient, pricing: pricing,
                            conversation: conversation), nil))
            }
            let error = random.weighted(Self.errors)
            let failed = t + Int64(random.int(1...60))
            queue.push(
                failed,
                .status(
                    account, phone,
                    .init(
                        messageId: wamid, status: "failed", timestamp: failed, recipientId: recipient,
                        errorCode: error.code, errorTitle: error.title), nil))
        } else {
            let delay = random.weighted([(0, 85), (1, 10), (2, 4), (3, 1)])
            let delivered =
                t
                + Int64(
                    [
                        random.int(1...60), random.int(60...3_600), random.int(3_600...259_200),
                        random.int(259_200...1_728_000),
                    ][
                        delay])
            let read = random.chance(0.6) ? delivered + Int64(random.int(5...21_600)) : nil
            if fate < 0.19 {
                // Read without delivered: the read status confirms delivery.
                send(
                    account, phone, to: recipient, pricing: pricing, conversation: conversation, delivered: nil,
                    read: delivered, at: t)
            } else {
                send(
                    account, phone, to: recipient, pricing: pricing, conversation: conversation, delivered: delivered,
                    read: read, at: t)
            }
        }
    }

    /// Schedules `sent`, then `delivered` and `read` when given. Pricing rides on `sent` and on the
    /// first delivery-confirming status, as Meta sends it; sometimes only on the latter.
    private mutating func send(
        _ account: Int, _ phone: String, to recipient: String, pricing: WebhookBodyBuilder.Pricing,
        conversation: WebhookBodyBuilder.Conversation?, delivered: Int64?, read: Int64?, at t: Int64
    ) {
        let wamid = newWamid(account)
        let pricingOnSent = random.chance(0.9)
        queue.push(
            t,
            .status(
                account, phone,
                .init(
                    messageId: wamid, status: "sent", timestamp: t, recipientId: recipient,
                    pricing: pricingOnSent ? pricing : nil, conversation: conversation), nil))
        if let delivered {
            // Now and then the delivered webhook arrives after the read one.
            let late = read != nil && random.chance(0.05)
            queue.push(
                late ? read! + Int64(random.int(1...120)) : delivered,
                .status(
                    account, phone,
                    .init(
                        messageId: wamid, status: "delivered", timestamp: delivered, recipientId: recipient,
                        pricing: pricing, conversation: conversation), nil))
        }
        if let read {
            queue.push(
                read,
                .status(
                    account, phone,
                    .init(
                        messageId: wamid, status: "read", timestamp: read, recipientId: recipient,
                        pricing: delivered == nil ? pricing : nil, conversation: delivered == nil ? conversation : nil),
                    nil))
        }
    }

    // MARK: - Pieces

    private mutating func pricing(
        category: String, type: String, at t: Int64, cost: Bool
    )
        -> WebhookBodyBuilder.Pricing
    {
        if t < Self.pmpStart { return .init(model: "CBP", category: category, billable: true) }
        var pricing = WebhookBodyBuilder.Pricing(
            model: "PMP", category: category, billable: type == "regular", type: type)
        if cost && random.chance(0.3) {
            pricing.cost = (random.weighted([("0.0098", 1), ("0.0125", 2), ("0.035", 1)]), "USD")
        }
        return pricing
    }

    /// `free_customer_service` for service replies; from 2026-10-01 only the first 1,000 per phone
    /// number and month are free, the rest `regular`.
    private mutating func serviceType(_ phone: String, at t: Int64) -> String {
        guard t >= Self.october2026 else { return "free_customer_service" }
        let key = phone + "|" + Self.utcMonth(t)
        serviceCounts[key, default: 0] += 1
        return serviceCounts[key]! <= 1_000 ? "free_customer_service" : "regular"
    }

    private mutating func newConversation(
        _ account: Int, _ phone: String, _ recipient: String, _ category: String, at t: Int64
    ) -> WebhookBodyBuilder.Conversation {
        let id = random.hex(32)
        recentConversations.append(
            RecentConversation(
                account: account, phone: phone, recipient: recipient, category: category, id: id, expiresAt: t + 86_400)
        )
        if recentConversations.count > 64 { recentConversations.removeFirst(16) }
        return .init(id: id, originType: category, expiresAt: t + 86_400)
    }

    /// A voice call (reference §7.11): business- or user-initiated, picked up or not, with durations
    /// around pulse edges; its events come as Meta sends them, the terminate sometimes before the
    /// connect, and call statuses for business-initiated calls.
    private mutating func call(_ account: Int, _ phone: String, at t: Int64) {
        let place = random.weighted(SimulatedRecipients.calling)
        let user = place.prefix + random.digits(place.digits)
        let business = WebhookBodyBuilder.displayNumber(of: phone)
        let outbound = random.chance(0.7)
        let direction = outbound ? "BUSINESS_INITIATED" : "USER_INITIATED"
        let (from, to) = outbound ? (business, user) : (user, business)
        messageCounter += 1
        let id = "wacid.HBgL" + settings.accounts[account].id.suffix(4) + String(messageCounter) + random.hex(12)
        let ring = Int64(random.int(3...25))
        let answered = random.chance(0.65)
        let duration = random.weighted([
            (1, 2), (5, 2), (6, 3), (7, 3), (12, 2), (13, 2), (56, 3), (60, 3), (61, 3), (random.int(14...900), 10),
        ])
        let start = t + ring
        let ended = answered ? start + Int64(duration) : start
        let accountId = settings.accounts[account].id
        let terminate = WebhookBodyBuilder.Call(
            id: id, event: "terminate", timestamp: ended + 1, direction: direction, from: from, to: to,
            status: random.chance(0.04) ? "FAILED" : "COMPLETED",
            answered: answered ? (start, ended, duration) : nil)
        queue.push(
            ended + 1,
            .body(prepared(builder.callBody(account: accountId, phoneNumberId: phone, call: terminate), .call, account))
        )
        // Usually before the terminate; sometimes after it (Meta does not order call webhooks).
        let connectAt = random.chance(0.1) ? ended + 1 + Int64(random.int(1...30)) : t
        let connect = WebhookBodyBuilder.Call(
            id: id, event: "connect", timestamp: t, direction: direction, from: from, to: to)
        queue.push(
            connectAt,
            .body(prepared(builder.callBody(account: accountId, phoneNumberId: phone, call: connect), .call, account)))
        guard outbound else { return }
        let statuses = [("RINGING", t + 1), answered ? ("ACCEPTED", start) : ("REJECTED", start)]
        for (status, at) in statuses where answered || status == "RINGING" || random.chance(0.5) {
            let bytes = builder.callStatusBody(
                account: accountId, phoneNumberId: phone, callId: id, status: status, timestamp: at, recipientId: user)
            queue.push(at, .body(prepared(bytes, .call, account)))
        }
    }

    /// A message typed in the WhatsApp Business app on a coexistence number, or (one in five) sent
    /// by Meta's Business Agent on `standby` (reference §7.12).
    private mutating func echo(_ account: Int, _ phone: String, at t: Int64) {
        let (recipient, _) = newRecipient()
        let bytes = builder.echoBody(
            account: settings.accounts[account].id, phoneNumberId: phone,
            field: random.chance(0.8) ? "smb_message_echoes" : "standby", messageId: newWamid(account), to: recipient,
            timestamp: t)
        queue.push(t, .body(prepared(bytes, .echo, account)))
    }

    private mutating func newRecipient() -> (number: String, country: String) {
        let place = random.weighted(SimulatedRecipients.prefixes)
        return (place.prefix + random.digits(place.digits), place.country)
    }

    private mutating func newWamid(_ account: Int) -> String {
        messageCounter += 1
        return "wamid.HBgL" + settings.accounts[account].id.suffix(4) + String(messageCounter) + random.hex(12)
    }

    private func prepared(_ bytes: Data, _ kind: SimulatedBody.Kind, _ account: Int) -> SimulatedBody {
        SimulatedBody(bytes: bytes, kind: kind, account: settings.accounts[account].id, sentAt: 0, isRedelivery: false)
    }

    private static func utcMonth(_ t: Int64) -> String {
        YearMonth(containing: BillingCalendar.utc.day(of: t)).description
    }
}
