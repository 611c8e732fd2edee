import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MeterServer
import Testing

/// `GET /openapi.json` describes what is served: every documented path and method answers with
/// something other than "no route", and the routes the server has are all in it.
@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("the document is OpenAPI 3.1 JSON, every path and method in it is served, and every route is in it")
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
            #expect(
                Set(paths.keys) == [
                    "/webhook", "/health", "/api/v1/accounts", "/api/v1/accounts/{id}/report", "/api/v1/insights",
                    "/graph/{version}/{waba}", "/metrics", "/openapi.json", "/", "/accounts/{id}", "/sign-in",
                    "/sign-in/once", "/sign-out", "/dashboard/version",
                ])
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
