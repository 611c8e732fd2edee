import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import MeterServer

/// `GET /openapi.json` describes what is served: every documented path and method answers with
/// something other than "no route", and the routes the server has are all in it.
@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("the document is OpenAPI 3.1 JSON, its paths and methods are exactly the router's, and each answers")
    func servedAndComplete() async throws {
        let fixture = try ServerFixture()
        try await fixture.app().test(.router) { client in
            let document = try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                return try #require(
                    try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            }
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            // The routes the server has, as the router lists them (`:id` is OpenAPI's `{id}`).
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let router = buildRouter(
                configuration: ServerFixture.configuration, store: fixture.store,
                committer: GroupCommitter(store: fixture.store, maxBatch: 1, logger: logger),
                clock: { ServerFixture.now }, sessions: DashboardSessions(), metrics: ServerMetrics())
            let served = Set(
                router.routes.map { route in
                    let path = route.path.description.split(separator: "/").map {
                        $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0)
                    }
                    return "\(route.method.rawValue) /\(path.joined(separator: "/"))"
                })
            let documented = Set(
                paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
            #expect(
                served == documented,
                "served, not documented: \(served.subtracting(documented)); documented, not served: \(documented.subtracting(served))"
            )
            for (path, operations) in paths {
                let uri = path.replacingOccurrences(of: "{id}", with: "A").replacingOccurrences(
                    of: "{version}", with: "v23.0"
                ).replacingOccurrences(of: "{waba}", with: "A")
                for method in operations.keys {
                    try await client.execute(
                        uri: uri, method: HTTPRequest.Method(method.uppercased())!, headers: ServerFixture.bearer
                    ) { response in
                        let reason = ServerFixture.errorReason(response) ?? ""
                        #expect(!reason.hasPrefix("no route for"), "\(method) \(path): \(reason)")
                    }
                }
            }
        }
    }
}
