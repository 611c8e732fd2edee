import Foundation
import MeterCore

/// A simulated WhatsApp Business Account: what `wameter accounts add` would be given for it.
public struct SimulatedAccount: Sendable, Equatable {
    public var id: String
    public var name: String
    public var timezone: String
    public var currency: String
    public var portfolio: String?
    public var phoneNumberIds: [String]
    /// Webhook shape for per-message pricing: API v23 and below send a `conversation` object with an
    /// id per message; v24 and above leave it out (reference §3.3).
    public var sendsConversationPerMessage: Bool

    public init(
        id: String, name: String, timezone: String, currency: String, portfolio: String?, phoneNumberIds: [String],
        sendsConversationPerMessage: Bool
    ) {
        self.id = id
        self.name = name
        self.timezone = timezone
        self.currency = currency
        self.portfolio = portfolio
        self.phoneNumberIds = phoneNumberIds
        self.sendsConversationPerMessage = sendsConversationPerMessage
    }

    /// The account as `wameter accounts add` would register it.
    public var account: Account {
        Account(id: id, name: name, timezone: timezone, currency: currency, portfolio: portfolio)
    }

    /// Three accounts of one portfolio in three time zones, with two phone numbers each.
    public static let demo: [SimulatedAccount] = [
        SimulatedAccount(
            id: "100000000000001", name: "Demo Retail India", timezone: "Asia/Kolkata", currency: "USD",
            portfolio: "demo", phoneNumberIds: ["106540352242901", "106540352242902"],
            sendsConversationPerMessage: false),
        SimulatedAccount(
            id: "100000000000002", name: "Demo Bank Brazil", timezone: "America/Sao_Paulo", currency: "USD",
            portfolio: "demo", phoneNumberIds: ["106540352242911", "106540352242912"],
            sendsConversationPerMessage: true),
        SimulatedAccount(
            id: "100000000000003", name: "Demo Travel Europe", timezone: "Europe/Berlin", currency: "USD",
            portfolio: "demo", phoneNumberIds: ["106540352242921", "106540352242922"],
            sendsConversationPerMessage: false),
    ]
}

/// What a simulation produces; equal settings give equal output, byte for byte.
public struct SimulationSettings: Sendable {
    public var seed: UInt64
    /// The simulated clock's start (epoch seconds): webhook timestamps follow from it.
    public var start: Int64
    /// Mean simulated time between two new interactions (a template send, a customer's message, …).
    public var meanGapSeconds: Double
    public var accounts: [SimulatedAccount]
    /// Share of bodies Meta delivers again later (retries, several subscribed apps).
    public var redeliveryRate: Double
    /// Share of status bodies that carry several statuses (Meta batches up to 1,000 updates).
    public var batchRate: Double
    /// Share of interactions that are voice calls (from 2025-08-01, when the calling cards start).
    public var callRate: Double
    /// Share of interactions that are messages sent from the Business app or by the Business Agent.
    public var echoRate: Double

    /// About how many bodies one interaction produces, for turning a body rate or count into a gap.
    public static let bodiesPerInteraction = 2.9

    public init(
        seed: UInt64, start: Int64, meanGapSeconds: Double, accounts: [SimulatedAccount] = SimulatedAccount.demo,
        redeliveryRate: Double = 0.02, batchRate: Double = 0.15, callRate: Double = 0, echoRate: Double = 0
    ) {
        self.callRate = callRate
        self.echoRate = echoRate
        self.seed = seed
        self.start = start
        self.meanGapSeconds = meanGapSeconds
        self.accounts = accounts
        self.redeliveryRate = redeliveryRate
        self.batchRate = batchRate
    }
}

/// One webhook body, as Meta would POST it.
public struct SimulatedBody: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case statuses, inbound
        case tierUpdate = "tier_update"
        case systemError = "system_error"
        case call
        case echo
    }

    public var bytes: Data
    public var kind: Kind
    public var account: String
    /// When Meta sends it, on the simulated clock.
    public var sentAt: Int64
    /// A second delivery of a body sent before.
    public var isRedelivery: Bool
    /// The `status` of each status event in the body, in order (for the statistics).
    public var statuses: [String] = []
}

/// What a simulation has produced so far.
public struct SimulationStats: Sendable, Equatable {
    public var bodies = 0
    public var redeliveries = 0
    public var byKind: [String: Int] = [:]
    /// Status events by status (`sent`, `delivered`, `read`, `failed`), redeliveries included.
    public var statuses: [String: Int] = [:]

    public init() {}

    /// One line for people: "1200 bodies (900 statuses, …), 1500 status events (…), 24 redelivered".
    public var summary: String {
        let kinds = byKind.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        let events = statuses.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        return "\(bodies) bodies (\(kinds)); status events: \(events); \(redeliveries) redelivered"
    }
}
