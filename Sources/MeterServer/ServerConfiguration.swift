import Foundation
import MeterCore
import MeterReconcile

/// Everything `wameter serve` needs, read once at start from flags and `WAMETER_*` variables.
public struct ServerConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// App secrets that may sign deliveries (several for a BSP with several Meta apps).
    public var appSecrets: [String]
    /// The token entered in Meta's dashboard, echoed back by the verification handshake.
    public var verifyToken: String
    /// Bearer token for `/api/v1`.
    public var apiToken: String
    /// Meta's documented maximum webhook payload is 3 MB; larger bodies get 413.
    public var maxBodyBytes: Int
    /// Most bodies committed in one transaction.
    public var maxBatch: Int
    /// Connections, timeouts and body memory (see `ServerLimits`).
    public var limits: ServerLimits
    /// The opt-in daily reconciliation with Meta's analytics; `nil`: off.
    public var reconcile: DailyReconcileSettings?
    /// Budget and health alerts: how they are evaluated and sent.
    public var alerts: AlertSettings

    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 8080
    public static let defaultMaxBodyBytes = 3 * 1024 * 1024

    public init(
        host: String = defaultHost, port: Int = defaultPort, appSecrets: [String], verifyToken: String,
        apiToken: String, maxBodyBytes: Int = defaultMaxBodyBytes, maxBatch: Int = 1_000,
        limits: ServerLimits = ServerLimits(), reconcile: DailyReconcileSettings? = nil,
        alerts: AlertSettings = AlertSettings()
    ) {
        self.host = host
        self.port = port
        self.appSecrets = appSecrets
        self.verifyToken = verifyToken
        self.apiToken = apiToken
        self.maxBodyBytes = maxBodyBytes
        self.maxBatch = maxBatch
        self.limits = limits
        self.reconcile = reconcile
        self.alerts = alerts
    }

    /// Every problem with the settings, in one error, so a user fixes them all in one go.
    public struct Problems: Error, CustomStringConvertible, Equatable {
        public var problems: [String]
        public var description: String {
            "wameter serve cannot start:\n" + problems.map { "  - " + $0 }.joined(separator: "\n")
        }
    }

    /// Reads flags (which win) and the environment.
    public static func load(
        host: String?, port: Int?, limits flags: ServerLimits.Flags = .init(), reconcileDailyAt: String? = nil,
        environment: [String: String]
    ) throws(Problems)
        -> ServerConfiguration
    {
        var problems: [String] = []
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        let host = host ?? value("WAMETER_HOST") ?? defaultHost
        var resolvedPort = defaultPort
        if let port {
            resolvedPort = port
        } else if let text = value("WAMETER_PORT") {
            if let number = Int(text) {
                resolvedPort = number
            } else {
                problems.append("WAMETER_PORT \"\(text)\" is not a number")
            }
        }
        if !(1...65_535).contains(resolvedPort) {
            problems.append("port \(resolvedPort) is not between 1 and 65535")
        }
        let secrets = (value("WAMETER_APP_SECRET") ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        if secrets.isEmpty {
            problems.append(
                "WAMETER_APP_SECRET is not set: the app secret(s) from Meta's App Dashboard, comma-separated; "
                    + "without it no delivery can be verified")
        }
        let verifyToken = value("WAMETER_VERIFY_TOKEN")
        if verifyToken == nil {
            problems.append("WAMETER_VERIFY_TOKEN is not set: the verify token you enter in Meta's App Dashboard")
        }
        let apiToken = value("WAMETER_API_TOKEN")
        if apiToken == nil {
            problems.append("WAMETER_API_TOKEN is not set: the bearer token clients of /api/v1 must send")
        } else if apiToken!.count < 16 {
            problems.append("WAMETER_API_TOKEN is shorter than 16 characters")
        }
        let limits = ServerLimits.load(
            flags, environment: value, maxBodyBytes: defaultMaxBodyBytes, problems: &problems)
        var reconcile: DailyReconcileSettings?
        if let text = reconcileDailyAt ?? value("WAMETER_RECONCILE_DAILY_AT") {
            if let time = DailyReconcileSettings.timeOfDay(text) {
                if let url = value("WAMETER_GRAPH_URL"), let problem = AlertTarget.urlProblem(url) {
                    problems.append("WAMETER_GRAPH_URL: \(problem)")
                } else if let token = value("WAMETER_GRAPH_TOKEN") {
                    reconcile = DailyReconcileSettings(
                        timeOfDay: time, token: token,
                        graphURL: value("WAMETER_GRAPH_URL") ?? GraphClientSettings.defaultBaseURL,
                        graphVersion: value("WAMETER_GRAPH_VERSION") ?? GraphClientSettings.defaultVersion)
                } else {
                    problems.append(
                        "the daily reconciliation needs WAMETER_GRAPH_TOKEN: a Graph API token with "
                            + "whatsapp_business_management")
                }
            } else {
                problems.append("the daily reconciliation time \"\(text)\" is not HH:MM (UTC)")
            }
        }
        let alerts = AlertSettings.load(value, problems: &problems)
        if !problems.isEmpty { throw Problems(problems: problems) }
        return ServerConfiguration(
            host: host, port: resolvedPort, appSecrets: secrets, verifyToken: verifyToken!, apiToken: apiToken!,
            limits: limits, reconcile: reconcile, alerts: alerts)
    }
}
